// app.js — the page shell every screen shares: labels in Chinese and English
// from labels.json, the session (the cookie is HttpOnly: the page only ever
// holds the CSRF token), API calls, the live event stream and the banner of
// unavailable services. Data is always inserted as text (textContent).
"use strict";

const App = {
  labels: {},
  lang: localStorage.getItem("lang") || (navigator.language.startsWith("zh") ? "zh" : "en"),
  me: null,

  // Screens by role: the first role of a row owns the screen (App.home).
  screens: [
    { page: "counter.html", label: "screen.counter", roles: ["advisor", "front_desk_manager", "service_manager"] },
    { page: "board.html", label: "screen.board", roles: ["foreman", "service_manager"] },
    { page: "frontdesk.html", label: "screen.frontdesk", roles: ["front_desk_manager", "service_manager"] },
    { page: "clerk.html", label: "screen.clerk", roles: ["info_clerk", "front_desk_manager", "service_manager"] },
    { page: "qc.html", label: "screen.qc", roles: ["qc_inspector", "foreman", "service_manager"] },
    { page: "tablet.html", label: "screen.tablet", roles: ["technician"] },
    { page: "toolroom.html", label: "screen.toolroom", roles: ["tool_admin", "foreman", "service_manager"] },
    { page: "parts.html", label: "screen.parts", roles: ["warehouse_keeper", "parts_manager", "service_manager"] },
    { page: "warranty.html", label: "screen.warranty", roles: ["warranty_clerk", "service_manager"] },
    { page: "dashboard.html", label: "screen.dashboard", roles: ["service_manager", "front_desk_manager", "parts_manager"] },
    { page: "tap.html", label: "screen.tap", roles: ["it_admin", "service_manager"] },
    { page: "setup.html", label: "screen.setup", roles: ["service_manager", "parts_manager", "it_admin", "foreman"] },
    { page: "staff.html", label: "screen.staff", roles: ["service_manager", "foreman", "front_desk_manager", "parts_manager"] },
    { page: "quality.html", label: "screen.quality", roles: ["front_desk_manager", "foreman", "service_manager"] },
    { page: "reports.html", label: "screen.reports", roles: ["info_clerk", "service_manager"] },
  ],

  t(key) {
    return (this.labels[this.lang] && this.labels[this.lang][key]) || key;
  },

  // An amount for people: cents as "3,500.00 CNY" (the site's currency, as
  // asctl shows it); "" for a missing amount.
  money(cents) {
    if (cents === undefined || cents === null || cents === "") return "";
    const n = Number(cents);
    const whole = Math.trunc(Math.abs(n) / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const text = (n < 0 ? "-" : "") + whole + "." + String(Math.abs(n) % 100).padStart(2, "0");
    return this.me && this.me.currency ? text + " " + this.me.currency : text;
  },

  // A KPI figure's formula as kpi writes it ("words = numbers"), for people:
  // the words in the page's language (dashboard.formula.<name>), amounts in
  // currency (kpi writes cents), and why a figure is not defined in the
  // page's language. The dashboard, the scorecards and the monthly reports.
  formula(f) {
    const text = f.formula || "";
    const at = text.indexOf(" = ");
    if (at < 0) return text;
    const label = App.t("dashboard.formula." + f.name);
    const words = label === "dashboard.formula." + f.name ? text.slice(0, at) : label;
    let numbers = text.slice(at + 3);
    // why a figure is not defined ("(no order line was promised ...)", ": no new car sold"):
    // the service's words in English, the page's sentence in other languages
    let why = "";
    const reason = numbers.match(/ \((not defined|no )[^()]*\)$|: no(thing)? [^=]*$/);
    if (reason) {
      numbers = numbers.slice(0, reason.index);
      why = App.lang === "en" ? reason[0] : " (" + App.t("dashboard.not_defined") + ")";
    }
    const amount = (c) => App.money(Number(c)).replace(/ .*$/, "") + (App.me.currency ? " " + App.me.currency : "");
    if (/ cents\b(?!$)/.test(numbers)) {
      // each amount tagged: "4500 cents / (2700 cents / 90)"
      numbers = numbers.replace(/(-?\d+) cents\b/g, (m, c) => amount(c));
    } else if (numbers.endsWith(" cents")) {
      numbers = numbers.slice(0, -6).replace(/-?\d+/g, (c) => App.money(Number(c)).replace(/ .*$/, ""));
      if (App.me.currency) numbers += " " + App.me.currency;
    }
    return words + " = " + numbers + why;
  },

  // Microseconds since 1970 (the services' times) as a local date and time,
  // "2026-12-04 14:05"; "" for none. date() gives the date alone.
  datetime(us) {
    if (!us || Number(us) === 0) return "";
    const d = new Date(Number(us) / 1000);
    return this.date(us) + " " + this.clock(d).slice(0, 5);
  },
  date(us) {
    if (!us || Number(us) === 0) return "";
    const d = new Date(Number(us) / 1000);
    const two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  },

  // A fresh Idempotency-Key for one action: made when the action is started
  // and reused if the same action is sent again (a retry, a double click).
  newKey() {
    return crypto.randomUUID();
  },

  // --- actions: what every screen's buttons share ------------------------
  // An action's Idempotency-Key (by the action's name, e.g. "consent:R…"):
  // made when it is first sent, kept while its outcome is unknown (no
  // answer, a service unavailable) so a retry is done at most once, and
  // forgotten once the service answered.
  keys: new Map(),
  keyFor(action) {
    if (!this.keys.has(action)) this.keys.set(action, this.newKey());
    return this.keys.get(action);
  },
  forget(action) {
    this.keys.delete(action);
  },

  // Runs a change: the button disabled while it is in flight, the service's
  // error (in the page's language) in `errorEl`; the reply, or null.
  async act(button, errorEl, action, command, payload) {
    if (button) button.disabled = true;
    errorEl.textContent = "";
    errorEl.dataset.kind = "action";
    try {
      const reply = await this.call(command, payload, this.keyFor(action));
      this.forget(action);
      return reply;
    } catch (err) {
      if (err.status && err.status !== 503) this.forget(action);
      errorEl.textContent = this.errorText(err);
      return null;
    } finally {
      if (button) button.disabled = false;
    }
  },

  // A key per request body: the same body sent again (a double click, a
  // retry) reuses its key; a changed body, or the next after done(), is new.
  keeper() {
    let last = null, key = null;
    return {
      key(body) {
        const text = JSON.stringify(body);
        if (text !== last) [last, key] = [text, App.newKey()];
        return key;
      },
      done() {
        last = key = null;
      },
    };
  },

  // Runs fn() with `button` disabled; what it throws goes to errorEl.
  async attempt(button, errorEl, fn) {
    if (button.disabled) return;
    button.disabled = true;
    errorEl.textContent = "";
    try {
      await fn();
    } catch (err) {
      errorEl.textContent = this.errorText(err);
    } finally {
      button.disabled = false;
    }
  },

  // A list that could not be read says why where its actions' errors go; a
  // later read that works clears only that (an action's error stays).
  readFailed(el, err) {
    el.textContent = this.errorText(err);
    el.dataset.kind = "read";
  },
  readOk(el) {
    if (el.dataset.kind === "read") el.textContent = "";
    delete el.dataset.kind;
  },

  // A reader that never runs twice at once: asked while it reads, it reads
  // once more after.
  reader(fn) {
    let reading = false, again = false;
    const run = async () => {
      if (reading) return void (again = true);
      reading = true;
      try {
        await fn();
      } finally {
        reading = false;
        if (again) {
          again = false;
          run();
        }
      }
    };
    return run;
  },

  // A button with a label key (translated again on a language change).
  button(label, cls, onClick) {
    const b = this.el("button", cls, this.t(label));
    b.type = "button";
    b.dataset.label = label;
    b.addEventListener("click", onClick);
    return b;
  },

  // A table of rows: columns [{label, value(row) -> text or Node, cls}];
  // every value goes in as text unless it is already a Node.
  table(columns, rows, rowClass) {
    const table = this.el("table", "grid");
    const head = this.el("tr");
    for (const c of columns) head.append(this.el("th", c.cls, this.t(c.label)));
    table.append(this.el("thead"));
    table.tHead.append(head);
    const body = this.el("tbody");
    for (const row of rows) {
      const tr = this.el("tr", rowClass ? rowClass(row) : "");
      for (const c of columns) {
        const v = c.value(row);
        const td = this.el("td", c.cls);
        if (v instanceof Node) td.append(v);
        else td.textContent = v === undefined || v === null ? "" : String(v);
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    return table;
  },

  // A local time as the workshop reads it, 24-hour, whatever the browser's
  // locale: "14:05:09".
  clock(date) {
    const two = (n) => String(n).padStart(2, "0");
    return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  },

  async loadLabels() {
    const [r, refusals] = await Promise.all([fetch("labels.json"), this.loadRefusals()]);
    this.labels = await r.json();
    this.refusals = refusals;
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    this.applyLabels();
  },

  // Every labelled thing of the page in its language: an element's text
  // (data-label), an input's placeholder (data-placeholder), a tooltip
  // (data-title), and what a list says while it is empty (data-empty-label:
  // style.css shows its data-empty in place of the missing rows).
  applyLabels() {
    for (const el of document.querySelectorAll("[data-label]")) el.textContent = this.t(el.dataset.label);
    for (const el of document.querySelectorAll("[data-placeholder]")) el.placeholder = this.t(el.dataset.placeholder);
    for (const el of document.querySelectorAll("[data-title]")) el.title = this.t(el.dataset.title);
    for (const el of document.querySelectorAll("[data-empty-label]")) el.dataset.empty = this.t(el.dataset.emptyLabel);
  },

  // The daemons' refusals in Chinese (refusals.json: a template for each
  // format the daemons refuse with); a page without it shows their English.
  async loadRefusals() {
    try {
      const r = await fetch("refusals.json");
      return r.ok ? await r.json() : null;
    } catch (err) {
      return null;
    }
  },

  // A daemon's refusal in the page's language: on the Chinese page the
  // template of its format with its arguments put in ({1}, {2}, ...; an
  // argument that is one of the code's own English words in Chinese too:
  // refusals.json's zh_terms, a list of them ("advisor or foreman":
  // orList), or a KPI figure's name as the dashboard names it), else
  // (English page, or a format without a template) the daemon's text.
  refusalText(err) {
    const message = err.message || String(err);
    const table = this.refusals;
    if (this.lang !== "zh" || !table || !err.format || !Array.isArray(err.args)) return message;
    const template = table.zh && table.zh[err.format];
    if (!template) return message;
    const terms = table.zh_terms || {};
    const figures = (this.labels && this.labels.zh) || {};
    const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
    return this.fill(template, err.args, (arg) => {
      if (own(terms, arg)) return terms[arg];
      if (own(figures, "dashboard.fig." + arg)) return figures["dashboard.fig." + arg];
      const list = this.orList(arg, terms, table.zh_or_lists);
      return list === null ? arg : list;
    });
  },

  // "A or B or C" (the roles a refusal names: as_role_names) in Chinese
  // when every item is one of `terms`: "甲、乙或丙", two items "甲或乙"; a
  // list holding all items of one of `lists.wholes` (every staff role: its
  // roles_of) says that whole's name in their place ("本店员工（任一岗位）或系统").
  // null when `text` is no such list or an item is not a term.
  orList(text, terms, lists) {
    const items = typeof text === "string" ? text.split(" or ") : [];
    const own = (k) => Object.prototype.hasOwnProperty.call(terms, k);
    if (items.length < 2 || !lists || !items.every(own)) return null;
    let words = items.map((item) => terms[item]);
    for (const whole of lists.wholes || []) {
      if (!whole.items.length || !whole.items.every((item) => items.includes(item))) continue;
      const rest = items.filter((item) => !whole.items.includes(item));
      words = [whole.zh].concat(rest.map((item) => terms[item]));
      break;
    }
    const last = words.pop();
    return words.length ? words.join(lists.separator) + lists.last_separator + last : last;
  },

  // `template` with {1}, {2}, ... replaced by args[0], args[1], ..., each
  // through wordOf (the page's word for an argument); a {n} without its
  // argument stays as it is.
  fill(template, args, wordOf) {
    return template.replace(/\{(\d+)\}/g, (whole, k) => {
      const arg = args[Number(k) - 1];
      return arg === undefined ? whole : wordOf(arg);
    });
  },

  // A text a daemon keeps as a code and its arguments (a claim's reason, a
  // tool's note) in the page's language: the label `prefix + code` with
  // {1}, {2}, ... the arguments (an argument that is itself a label under
  // `terms`, e.g. a warranty group's name, in the page's words too); the
  // daemon's English `fallback` when there is no code (an old record) or no
  // label for it.
  worded(prefix, code, args, fallback, terms) {
    if (!code) return fallback || "";
    const template = this.t(prefix + code);
    if (template === prefix + code) return fallback || "";
    return this.fill(template, Array.isArray(args) ? args : [], (arg) => {
      const term = terms ? this.t(terms + arg) : "";
      return terms && term !== terms + arg ? term : arg;
    });
  },

  // An error of App.call (or any Error) as the page shows it: the page's own
  // lead-in for what happened in its language (labels error.<kind>: the
  // API's code, e.g. AS_EDENIED -> error.denied, else the HTTP status's),
  // then the service's own words (refusalText): "被拒绝：…" on the Chinese page.
  errorText(err) {
    if (!err) return "";
    const message = this.refusalText(err);
    const kind = this.errorKind(err);
    const lead = kind && this.t("error." + kind);
    if (!lead || lead === "error." + kind) return message;
    return lead + (this.lang === "zh" ? "：" : ": ") + message;
  },
  errorKind(err) {
    if (err.code) return String(err.code).replace(/^AS_E/, "").toLowerCase().replace(/_/g, "");
    switch (err.status) {
      case undefined:
        return err.network ? "network" : "";
      case 400:
      case 413:
        return "invalid";
      case 401:
        return "signin";
      case 403:
        return "denied";
      case 404:
        return "notfound";
      case 409:
        return "exists";
      case 423:
        return "locked";
      case 503:
        return "unavailable";
      default:
        return err.status >= 500 ? "gateway" : "";
    }
  },

  toggleLanguage() {
    this.lang = this.lang === "zh" ? "en" : "zh";
    localStorage.setItem("lang", this.lang);
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    this.applyLabels();
    document.dispatchEvent(new Event("languagechange"));
  },

  el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  },

  // The screen a member lands on after sign-in: the first whose owner (its
  // first role) the member has, else the first the member may open.
  home(roles) {
    const mine = this.screensFor(roles);
    return mine.find((s) => roles.includes(s.roles[0])) || mine[0];
  },

  screensFor(roles) {
    return this.screens.filter((s) => s.roles.some((r) => roles.includes(r)));
  },

  // Who is signed in, or null.
  async session() {
    const r = await fetch("api/me");
    this.me = r.ok ? await r.json() : null;
    return this.me;
  },

  async signIn(staffId, secret) {
    const r = await fetch("api/signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ staff_id: staffId, secret: secret }),
    });
    const body = await r.json();
    if (!r.ok) {
      const e = new Error(body.error || r.statusText);
      e.status = r.status;
      throw e;
    }
    this.me = body;
    return body;
  },

  async signOut() {
    await fetch("api/signout", { method: "POST", headers: { "X-CSRF-Token": this.me.csrf } });
    location.href = "index.html";
  },

  // A command through the gateway. A change gets a key of its own, which a
  // retry of the same action reuses (the service does it once).
  async call(command, payload, idempotencyKey) {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": this.me.csrf };
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let r, body;
    try {
      r = await fetch("api/call/" + command, { method: "POST", headers, body: JSON.stringify(payload || {}) });
    } catch (err) {
      // no answer at all: the outcome is unknown, a retry (same key) is safe
      const e = new Error(err.message || String(err));
      e.network = true;
      throw e;
    }
    try {
      body = await r.json();
    } catch (err) {
      body = { error: r.status + " " + r.statusText };
    }
    if (r.status === 503) this.refreshStatus();
    if (!r.ok) {
      const e = new Error(body.error || r.statusText);
      e.status = r.status;
      if (body.code) e.code = body.code;
      if (body.format) (e.format = body.format), (e.args = body.args || []);
      throw e;
    }
    return body.reply;
  },

  // The banner: each service that does not answer (by its name in the
  // page's language), and since when (local time, as every time on a page).
  async refreshStatus() {
    const banner = document.getElementById("banner");
    if (!banner) return;
    const r = await fetch("api/status");
    const body = await r.json();
    banner.replaceChildren();
    for (const s of body.services.filter((x) => !x.up)) {
      const name = this.t("service." + s.service);
      const since = s.since_us ? this.date(s.since_us) + " " + this.clock(new Date(Number(s.since_us) / 1000)) : s.unavailable_since;
      const div = this.el("div", "down", (name === "service." + s.service ? s.service : name) + ": " + this.t("status.unavailable") + " " + since);
      div.dataset.service = s.service;
      banner.append(div);
    }
  },

  // Live events of the member's roles: onEvent(event) for each.
  follow(onEvent) {
    const live = document.getElementById("live");
    const source = new EventSource("api/events");
    source.onopen = () => live && (live.dataset.label = "status.live") && (live.textContent = this.t("status.live"));
    source.onerror = () => live && (live.dataset.label = "status.reconnecting") && (live.textContent = this.t("status.reconnecting"));
    source.onmessage = (m) => onEvent(JSON.parse(m.data));
    return source;
  },

  // The other screens of the member's roles, as links after the title. When
  // they do not fit on the header's line (a manager's many screens on a
  // tablet) they fold into a "Screens" menu opening under it; the fit is
  // measured again when the window's size or the page's language changes.
  nav() {
    const header = document.querySelector("header");
    const here = location.pathname.split("/").pop();
    const others = this.screensFor(this.me.roles).filter((s) => s.page !== here);
    if (!header || !others.length) return;
    const title = header.querySelector("h1");
    const nav = this.el("nav", "screens");
    for (const s of others) {
      const a = this.el("a", "", this.t(s.label));
      a.href = s.page;
      a.dataset.label = s.label;
      nav.append(a);
    }
    const menu = this.el("details", "screens-menu");
    const summary = this.el("summary");
    const word = this.el("span", "", this.t("screen.menu"));
    word.dataset.label = "screen.menu";
    summary.append(word, this.el("span", "count", String(others.length)));
    menu.append(summary);
    const oneLine = () => nav.getBoundingClientRect().height < 2 * nav.firstChild.getBoundingClientRect().height;
    const fold = () => {
      menu.append(nav);
      title.after(menu);
    };
    const fit = () => {
      menu.open = false;
      title.after(nav); // inline first: does it take one line?
      menu.remove();
      if (!oneLine()) fold();
    };
    fit();
    // inline links that come to wrap (the style sheet or fonts arriving, the
    // "live" mark appearing beside them) fold; a wider window or another
    // language tries them inline again
    new ResizeObserver(() => {
      if (nav.parentNode !== menu && !oneLine()) fold();
    }).observe(nav);
    window.addEventListener("resize", fit);
    document.addEventListener("languagechange", fit);
    // a click anywhere else, or Escape, closes the menu
    document.addEventListener("click", (e) => {
      if (menu.open && !menu.contains(e.target)) menu.open = false;
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") menu.open = false;
    });
  },

  // The header every screen has: title, who, language, sign-out.
  async shell() {
    await this.loadLabels();
    this.dateFields();
    if (!(await this.session())) {
      location.href = "index.html";
      return null;
    }
    document.getElementById("who").textContent = this.me.staff_id;
    this.nav();
    document.getElementById("lang").addEventListener("click", () => this.toggleLanguage());
    document.getElementById("signout").addEventListener("click", () => this.signOut());
    this.refreshStatus();
    setInterval(() => this.refreshStatus(), 5000);
    return this.me;
  },

  // Reads a list: fn() reads and renders it; what it throws is said where the
  // list's errors go (`errorEl`, or its id) as a read error, which the next
  // read that works clears (an action's error there stays). App.readFailed/readOk.
  async readList(errorEl, fn) {
    const el = typeof errorEl === "string" ? document.getElementById(errorEl) : errorEl;
    try {
      await fn();
      this.readOk(el);
    } catch (err) {
      this.readFailed(el, err);
    }
  },

  // --- dates and times in the page's language -------------------------------
  // Chromium's own date, time and month pickers follow the BROWSER's locale
  // (年/月/日 on an English page in a Chinese browser, AM/PM on a Chinese
  // page in an American one) and no script can change that. So App.shell
  // turns every <input type="date|time|month"> of a page into a text field
  // (a page that makes one later calls App.dateField): the format written as
  // its placeholder in the page's language, what is typed read strictly
  // (2026-12-04, 2026/12/4, 2026年12月4日, 20261204; 14:30, 1430, 14点30; a
  // real day of the calendar, a time of the 24-hour clock), a clear error in
  // the page's language beside it for anything else (the form is not sent,
  // the page's change handlers do not run), and the value it holds put back
  // as ISO ("2026-12-04", "14:30", "2026-12"): what the API takes and how
  // every date and time on the pages is shown, in both languages.
  parseDate(kind, text) {
    const s = String(text === undefined || text === null ? "" : text).trim().replace(/\s+/g, "");
    if (!s) return "";
    const two = (n) => String(n).padStart(2, "0");
    const num = (m, ...at) => at.map((i) => Number(m[i]));
    let m;
    if (kind === "time") {
      let h, min;
      if ((m = /^(\d{1,2})[:：.点时](\d{2})分?$/.exec(s)) || (m = /^(\d{2})(\d{2})$/.exec(s))) [h, min] = num(m, 1, 2);
      else if ((m = /^(\d{1,2})[点时]$/.exec(s))) [h, min] = [Number(m[1]), 0];
      else return null;
      return h < 24 && min < 60 ? two(h) + ":" + two(min) : null;
    }
    if (kind === "month") {
      if (!(m = /^(\d{4})([-/.])(\d{1,2})$/.exec(s)) && !(m = /^(\d{4})(年)(\d{1,2})月?$/.exec(s)) && !(m = /^(\d{4})()(\d{2})$/.exec(s)))
        return null;
      const [y, mo] = num(m, 1, 3);
      return mo >= 1 && mo <= 12 ? y + "-" + two(mo) : null;
    }
    if (!(m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s)) && !(m = /^(\d{4})(年)(\d{1,2})月(\d{1,2})日?$/.exec(s)) &&
        !(m = /^(\d{4})()(\d{2})(\d{2})$/.exec(s)))
      return null;
    const [y, mo, d] = num(m, 1, 3, 4);
    const day = new Date(Date.UTC(y, mo - 1, d));
    return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d ? y + "-" + two(mo) + "-" + two(d) : null;
  },

  dateField(input, kind) {
    if (input.dataset.dateKind) return;
    const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
    const typed = native.get.call(input);
    input.type = "text";
    input.dataset.dateKind = kind;
    input.dataset.placeholder = "date.format." + kind;
    input.placeholder = this.t(input.dataset.placeholder);
    input.autocomplete = "off";
    input.spellcheck = false;
    input.classList.add("date-field");
    const error = this.el("span", "date-error");
    error.setAttribute("role", "alert");
    input.after(error); // a field made for a list row gets it when shown (below)
    // checks what the field holds; `show`: the error is shown beside it too
    const check = (show) => {
      const iso = this.parseDate(kind, native.get.call(input));
      input.setCustomValidity(iso === null ? this.t("date.bad." + kind) : "");
      if (iso !== null) {
        delete error.dataset.label;
        error.textContent = "";
      } else if (show) {
        if (!error.isConnected && input.parentNode) input.after(error);
        error.dataset.label = "date.bad." + kind;
        error.textContent = this.t(error.dataset.label);
      }
      return iso;
    };
    const normalise = () => {
      const iso = check(true);
      if (iso !== null && iso !== native.get.call(input)) native.set.call(input, iso);
      return iso;
    };
    // a value set by the page is checked as one typed (an ISO one always passes)
    Object.defineProperty(input, "value", {
      configurable: true,
      get: () => native.get.call(input),
      set: (v) => {
        native.set.call(input, v);
        check(false);
      },
    });
    input.addEventListener("input", () => check(false));
    input.addEventListener("invalid", (e) => {
      if (check(true) === null) e.preventDefault(); // said beside the field; not twice in a bubble
    });
    input.addEventListener("change", (e) => {
      if (normalise() === null) e.stopImmediatePropagation(); // the page acts on a date, never on a typo
    });
    input.dateNormalise = normalise;
    input.dateCheck = check;
    input.value = typed;
  },

  // Every date, time and month input of the page (App.shell calls it once).
  dateFields() {
    for (const kind of ["date", "time", "month"])
      for (const input of document.querySelectorAll(`input[type="${kind}"]`)) this.dateField(input, kind);
    // a form sent with Enter before its field was left: what was typed is read first
    document.addEventListener("submit", (e) => {
      for (const input of e.target.querySelectorAll("input[data-date-kind]")) input.dateNormalise();
    }, true);
    document.addEventListener("reset", (e) => {
      setTimeout(() => {
        for (const input of e.target.querySelectorAll("input[data-date-kind]")) input.value = input.value;
      });
    }, true);
    document.addEventListener("languagechange", () => {
      for (const input of document.querySelectorAll("input[data-date-kind]")) input.dateCheck(false);
    });
  },
};
