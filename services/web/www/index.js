// index.js — the sign-in page: after sign-in, the screen of the member's role.
"use strict";

// The member's home screen (App.home: the foreman lands on the board, not
// the tool room); its header links the others.
function openScreens(me) {
  const screens = App.screensFor(me.roles);
  if (screens.length) {
    location.href = App.home(me.roles).page;
    return;
  }
  const nav = document.getElementById("screens");
  document.getElementById("signin-form").hidden = true;
  nav.hidden = false;
  nav.replaceChildren();
  if (!screens.length) nav.append(App.el("p", "", App.t("screens.none")));
  for (const s of screens) {
    const a = App.el("a", "screen", App.t(s.label));
    a.href = s.page;
    nav.append(a);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  // The handler first, before anything is awaited: a sign-in typed while the
  // labels load must not submit the form natively (the secret in the URL).
  document.getElementById("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = document.getElementById("error");
    error.textContent = "";
    try {
      openScreens(await App.signIn(document.getElementById("staff_id").value, document.getElementById("secret").value));
    } catch (err) {
      error.textContent = App.errorText(err);
    }
  });
  await App.loadLabels();
  document.getElementById("lang").addEventListener("click", () => App.toggleLanguage());
  const me = await App.session();
  if (me) openScreens(me);
});
