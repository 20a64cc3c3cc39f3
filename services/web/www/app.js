// app.js — the page shell every screen shares: labels in Chinese and English
// from labels.json, the session (the cookie is HttpOnly: the page only ever
// holds the CSRF token), API calls, the live event stream and the banner of
// unavailable services. Data is always inserted as text (textContent).
"use strict";

const App = {
  labels: {},
  lang: localStorage.getItem("lang") || (navigator.language.startsWith("zh") ? "zh" : "en"),
  me: null,

  // Screens by role; later steps add theirs here.
  screens: [{ page: "board.html", label: "screen.board", roles: ["foreman", "service_manager"] }],

  t(key) {
    return (this.labels[this.lang] && this.labels[this.lang][key]) || key;
  },

  // A local time as the workshop reads it, 24-hour, whatever the browser's
  // locale: "14:05:09".
  clock(date) {
    const two = (n) => String(n).padStart(2, "0");
    return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  },

  async loadLabels() {
    const r = await fetch("labels.json");
    this.labels = await r.json();
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    this.applyLabels();
  },

  applyLabels() {
    for (const el of document.querySelectorAll("[data-label]")) el.textContent = this.t(el.dataset.label);
  },

  toggleLanguage() {
    this.lang = this.lang === "zh" ? "en" : "zh";
    localStorage.setItem("lang", this.lang);
    this.applyLabels();
    document.dispatchEvent(new Event("languagechange"));
  },

  el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
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
    if (!r.ok) throw new Error(body.error || r.statusText);
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
    const r = await fetch("api/call/" + command, { method: "POST", headers, body: JSON.stringify(payload || {}) });
    const body = await r.json();
    if (r.status === 503) this.refreshStatus();
    if (!r.ok) {
      const e = new Error(body.error || r.statusText);
      e.status = r.status;
      throw e;
    }
    return body.reply;
  },

  // The banner: each service that does not answer, and since when.
  async refreshStatus() {
    const banner = document.getElementById("banner");
    if (!banner) return;
    const r = await fetch("api/status");
    const body = await r.json();
    banner.replaceChildren();
    for (const s of body.services.filter((x) => !x.up)) {
      banner.append(this.el("div", "down", s.service + ": " + this.t("status.unavailable") + " " + s.unavailable_since));
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

  // The header every screen has: title, who, language, sign-out.
  async shell() {
    await this.loadLabels();
    if (!(await this.session())) {
      location.href = "index.html";
      return null;
    }
    document.getElementById("who").textContent = this.me.staff_id;
    document.getElementById("lang").addEventListener("click", () => this.toggleLanguage());
    document.getElementById("signout").addEventListener("click", () => this.signOut());
    this.refreshStatus();
    setInterval(() => this.refreshStatus(), 5000);
    return this.me;
  },
};
