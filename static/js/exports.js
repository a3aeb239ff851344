/* The Export menu says "Preparing…" from the click until the file starts, and refuses a second start
   meanwhile. The browser tells no page when a download starts, so the form sends a random token and
   the answer (the file, or the way to its progress page) sets the cookie export_token to it; this
   waits for that cookie. Without this file the menu is a plain form and works the same. */
(function () {
  "use strict";
  if (window.etelecomExports) return; // the menu's copy swapped in by htmx never runs, but be sure
  window.etelecomExports = true;

  var COOKIE = "export_token";
  var TOKEN_PARAM = "_export_token";
  var POLL_EVERY = 250; // ms
  var GIVE_UP_AFTER = 120000; // ms: a direct export takes seconds; never leave the buttons dead
  var waiting = null; // {form, token, timer, started}

  function newToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cookieIs(token) {
    return document.cookie.split(/;\s*/).indexOf(COOKIE + "=" + token) !== -1;
  }

  function forgetCookie() {
    document.cookie = COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax";
  }

  function buttonsOf(form) {
    return form.querySelectorAll("button[name=_export]");
  }

  function labelOf(form) {
    var menu = form.closest("details");
    return menu && menu.querySelector(".export-menu-label");
  }

  function setBusy(form, button) {
    var text = form.dataset.preparing || "Preparing…";
    buttonsOf(form).forEach(function (each) {
      each.disabled = true;
      if (each === button) {
        each.dataset.label = each.textContent;
        each.textContent = text;
        each.setAttribute("aria-busy", "true");
      }
    });
    // The menu closes once its form is sent (app.js): its button says it too.
    var label = labelOf(form);
    if (label) {
      label.dataset.label = label.textContent;
      label.textContent = text;
      label.closest("summary").setAttribute("aria-busy", "true");
    }
  }

  function setIdle(form) {
    buttonsOf(form).forEach(function (each) {
      each.disabled = false;
      each.removeAttribute("aria-busy");
      if (each.dataset.label) {
        each.textContent = each.dataset.label;
        delete each.dataset.label;
      }
    });
    var label = labelOf(form);
    if (label && label.dataset.label) {
      label.textContent = label.dataset.label;
      delete label.dataset.label;
      label.closest("summary").removeAttribute("aria-busy");
    }
    delete form.dataset.exporting;
  }

  function stopWaiting() {
    if (!waiting) return;
    window.clearInterval(waiting.timer);
    // The menu may have been swapped by htmx meanwhile (the list changed): free the one on the page.
    document.querySelectorAll("form.export-form").forEach(setIdle);
    setIdle(waiting.form);
    waiting = null;
    forgetCookie();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.export-form")) return;
    if (waiting || form.dataset.exporting) {
      event.preventDefault(); // a second start (Enter, a double click) while one is prepared
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== "_export") return;
    var input = form.querySelector("input[name=" + TOKEN_PARAM + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = TOKEN_PARAM;
      form.appendChild(input);
    }
    var token = newToken();
    input.value = token;
    form.dataset.exporting = token;
    forgetCookie();
    waiting = { form: form, token: token, started: Date.now(), timer: null };
    // Disabled after this event only: the browser builds the request from the form after it, and
    // leaves a disabled button's name=value out.
    window.setTimeout(function () {
      if (waiting && waiting.token === token) setBusy(form, button);
    }, 0);
    waiting.timer = window.setInterval(function () {
      if (cookieIs(token) || Date.now() - waiting.started > GIVE_UP_AFTER) stopWaiting();
    }, POLL_EVERY);
  });

  // Back to the list from the progress page (the page may come from the back/forward cache as it
  // was left, busy): nothing is being prepared for it any more.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) stopWaiting();
    document.querySelectorAll("form.export-form[data-exporting]").forEach(setIdle);
  });
})();
