// The plot page: draw the figure with plotly.js, save display options without a reload,
// and wait for a running analysis to finish.
(function () {
  "use strict";
  var POLL_MS = 3000;
  var FINISHED = { complete: true, failed: true, cancelled: true };

  // WebGL traces compile shaders with new Function(), which the page's policy forbids
  // (script-src 'self'), and many lab machines lack WebGL; SVG markers work everywhere.
  function withoutWebGL(figure) {
    figure.data.forEach(function (trace) {
      if (trace.type === "scattergl") { trace.type = "scatter"; }
    });
    return figure;
  }

  function draw(element) {
    var url = element.getAttribute("data-figure-url") + "?t=" + Date.now();
    return window.Pluto.api("GET", url).then(function (figure) {
      figure = withoutWebGL(figure);
      figure.layout.autosize = true;
      var config = { responsive: true, displaylogo: false, toImageButtonOptions: { format: "png", scale: 2 } };
      var placeholder = element.querySelector(".loading");
      if (placeholder) { element.removeChild(placeholder); }
      return window.Plotly.react(element, figure.data, figure.layout, config);
    }).catch(function (error) {
      window.Plotly.purge(element);
      element.innerHTML = "";
      var message = document.createElement("p");
      message.className = "loading";
      message.textContent = "The figure could not be drawn: " + error.message;
      element.appendChild(message);
    });
  }

  // The form's fields, typed as the display API takes them (data-option: their type).
  function displayChanges(form) {
    var options = {};
    form.querySelectorAll("[data-option]").forEach(function (field) {
      var kind = field.getAttribute("data-option");
      var value = (field.value || "").trim();
      if (kind === "boolean") { options[field.name] = field.checked; return; }
      if (kind === "list") { options[field.name] = value.split(/[\s,;]+/).filter(Boolean); return; }
      if (value === "") { return; }
      options[field.name] = kind === "number" ? Number(value) : value;
    });
    var title = form.elements.plot_title ? form.elements.plot_title.value : "";
    return { plot_title: title.trim(), options: options };
  }

  function setUpDisplayForm(form, figure) {
    var status = document.getElementById("display-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var changes = displayChanges(form);
      status.textContent = "Saving…";
      window.Pluto.api("PUT", form.getAttribute("data-display-url"), changes).then(function (display) {
        document.getElementById("plot-title").textContent = display.plot_title;
        status.textContent = "Saved.";
        return figure ? draw(figure) : null;
      }, function (error) { status.textContent = error.message; });
    });
  }

  function waitForPlot(waiting) {
    window.Pluto.api("GET", waiting.getAttribute("data-poll-url")).then(function (plot) {
      if (FINISHED[plot.status]) { window.location.reload(); return; }
      var progress = document.getElementById("plot-progress");
      if (plot.status === "running") { progress.textContent = "Running…"; }
      setTimeout(function () { waitForPlot(waiting); }, POLL_MS);
    }, function () { setTimeout(function () { waitForPlot(waiting); }, POLL_MS * 3); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var figure = document.getElementById("figure");
    if (figure && window.Plotly) { draw(figure); }
    var form = document.getElementById("display-form");
    if (form) { setUpDisplayForm(form, figure); }
    var waiting = document.getElementById("plot-waiting");
    if (waiting) { setTimeout(function () { waitForPlot(waiting); }, POLL_MS); }
  });
})();
