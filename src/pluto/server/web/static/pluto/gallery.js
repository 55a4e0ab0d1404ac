// The Plots tab: while analyses run, ask the API for the plots' status every few seconds,
// update the badges, and reload once one finishes so its card shows the result.
(function () {
  "use strict";
  var INTERVAL_MS = 3000;
  var FINISHED = { complete: true, failed: true, cancelled: true };

  function cards(gallery) {
    var byId = {};
    gallery.querySelectorAll("[data-plot]").forEach(function (card) { byId[card.getAttribute("data-plot")] = card; });
    return byId;
  }

  function update(card, plot) {
    var badge = card.querySelector("[data-status-badge]");
    badge.textContent = plot.status;
    badge.className = "badge " + plot.status;
    card.setAttribute("data-status", plot.status);
  }

  function poll(gallery) {
    window.Pluto.api("GET", gallery.getAttribute("data-poll-url")).then(function (page) {
      var shown = cards(gallery);
      var changed = false;
      var running = false;
      page.items.forEach(function (plot) {
        var card = shown[plot.uuid];
        if (!card) { changed = true; return; }
        if (card.getAttribute("data-status") !== plot.status) {
          update(card, plot);
          changed = changed || FINISHED[plot.status] === true;
        }
        running = running || !FINISHED[plot.status];
      });
      if (changed) { window.location.reload(); return; }
      if (running) { setTimeout(function () { poll(gallery); }, INTERVAL_MS); }
    }, function () { setTimeout(function () { poll(gallery); }, INTERVAL_MS * 3); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var gallery = document.getElementById("plot-gallery");
    if (gallery && gallery.hasAttribute("data-running")) {
      setTimeout(function () { poll(gallery); }, INTERVAL_MS);
    }
  });
})();
