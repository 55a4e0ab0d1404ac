// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function onClick(selector, handler) {
    document.querySelectorAll(selector).forEach(function (el) {
      el.addEventListener("click", handler);
    });
  }

  function target(button) {
    return document.getElementById(button.getAttribute("data-target"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    onClick("[data-reveal]", function (event) {
      var input = target(event.currentTarget);
      var hidden = input.type === "password";
      input.type = hidden ? "text" : "password";
      event.currentTarget.textContent = hidden ? "Hide" : "View";
      event.currentTarget.setAttribute("aria-pressed", hidden ? "true" : "false");
    });
    onClick("[data-copy]", function (event) {
      var button = event.currentTarget;
      var input = target(button);
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { fallbackCopy(input, done); });
      } else {
        fallbackCopy(input, done);
      }
    });
  });

  function fallbackCopy(input, done) {
    var type = input.type;
    input.type = "text";
    input.select();
    try { document.execCommand("copy"); done(); } finally { input.type = type; }
  }
})();
