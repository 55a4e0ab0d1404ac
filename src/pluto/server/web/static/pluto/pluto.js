// Small enhancements shared by every page; each page works without them where it can.
(function () {
  "use strict";

  function each(selector, handler) {
    document.querySelectorAll(selector).forEach(handler);
  }

  function target(button) {
    return document.getElementById(button.getAttribute("data-target"));
  }

  // The CSRF token the page was rendered with, for the API calls the page's scripts make.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // A JSON API call with the session cookie; resolves with the parsed body, rejects with
  // the API's error message.
  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") { options.headers["X-CSRFToken"] = csrfToken(); }
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!response.ok) { throw new Error((data && data.message) || ("HTTP " + response.status)); }
        return data;
      });
    });
  }

  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  }

  // Plain-HTTP pages (a lab server without TLS) have no clipboard API: copy via a selection.
  function fallbackCopy(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } finally { document.body.removeChild(area); }
  }

  function textToCopy(button) {
    if (button.hasAttribute("data-copy-text")) { return button.getAttribute("data-copy-text"); }
    var source = target(button);
    return source.value !== undefined ? source.value : source.textContent;
  }

  function setUpCopy(button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      copyText(textToCopy(button), function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  function setUpReveal(button) {
    button.addEventListener("click", function () {
      var input = target(button);
      var hidden = input.type === "password";
      input.type = hidden ? "text" : "password";
      button.textContent = hidden ? "Hide" : "View";
      button.setAttribute("aria-pressed", hidden ? "true" : "false");
    });
  }

  function setUpDialog(button) {
    var dialog = document.getElementById(button.getAttribute("data-dialog"));
    button.addEventListener("click", function () { dialog.showModal(); });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (close) {
      close.addEventListener("click", function () { dialog.close(); });
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }
    });
  }

  function setUpConfirm(button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  function setUpAutosubmit(select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  }

  window.Pluto = { api: api, csrfToken: csrfToken, copyText: copyText };

  document.addEventListener("DOMContentLoaded", function () {
    each("[data-copy], [data-copy-text]", setUpCopy);
    each("[data-reveal]", setUpReveal);
    each("[data-dialog]", setUpDialog);
    each("[data-confirm]", setUpConfirm);
    each("select[data-autosubmit]", setUpAutosubmit);
  });
})();
