// The New analysis form: offer the chosen column's values as groups, and check the form
// before it is sent (the server checks again).
(function () {
  "use strict";

  function values() {
    var source = document.getElementById("sample-values");
    return source ? JSON.parse(source.textContent) : {};
  }

  function checkbox(name, value) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + value));
    return label;
  }

  function fillChoices(form, column) {
    var known = values()[column] || [];
    form.querySelectorAll("[data-choices]").forEach(function (box) {
      var name = box.getAttribute("data-choices");
      box.innerHTML = "";
      known.forEach(function (value) { box.appendChild(checkbox(name, value)); });
    });
  }

  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
  }

  function showError(form, name, message) {
    var box = form.querySelector('[data-choices="' + name + '"]');
    var note = box.parentNode.querySelector(".field-error.client");
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error client";
      note.setAttribute("role", "alert");
      box.parentNode.appendChild(note);
    }
    note.textContent = message;
    note.hidden = !message;
  }

  // Differential expression needs two non-overlapping groups.
  function groupProblems(form) {
    var experimental = checked(form, "experimental_values");
    var control = checked(form, "control_values");
    var overlap = experimental.filter(function (value) { return control.indexOf(value) >= 0; });
    showError(form, "experimental_values", experimental.length ? "" : "Choose at least one value for the experimental group.");
    showError(form, "control_values", control.length ? (overlap.length ? "A value cannot be in both groups: " + overlap.join(", ") + "." : "")
      : "Choose at least one value for the control group.");
    return !experimental.length || !control.length || overlap.length > 0;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("analysis-form");
    if (!form) { return; }
    var column = form.querySelector("select[data-values-for]");
    if (column) { column.addEventListener("change", function () { fillChoices(form, column.value); }); }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-analysis") === "differential_expression" && groupProblems(form)) {
        event.preventDefault();
        return;
      }
      form.querySelector("button[type=submit]").disabled = true;
    });
  });
})();
