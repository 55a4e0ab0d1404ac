// The analysis forms (New analysis, Run again): offer the values of the column a field names,
// and check the form before it is sent (the server checks again, with the same model).
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

  // The checks of a field whose values are those of the column another field names.
  function fillChoices(form, owner, column) {
    var known = values()[column] || [];
    form.querySelectorAll('[data-of="' + owner + '"] [data-choices]').forEach(function (box) {
      var name = box.getAttribute("data-choices");
      box.innerHTML = "";
      known.forEach(function (value) { box.appendChild(checkbox(name, value)); });
    });
  }

  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
  }

  function showError(box, message) {
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

  // Checks that need a choice, and lists that must not share a value with another list.
  function choiceProblems(form) {
    var problems = 0;
    form.querySelectorAll("[data-choices]").forEach(function (box) {
      var name = box.getAttribute("data-choices");
      var chosen = checked(form, name);
      var other = box.getAttribute("data-distinct-from");
      var shared = other ? chosen.filter(function (v) { return checked(form, other).indexOf(v) >= 0; }) : [];
      var message = "";
      if (box.hasAttribute("data-required") && !chosen.length) {
        message = "Choose at least one: " + box.getAttribute("data-label") + ".";
      } else if (shared.length) {
        message = "A value cannot be chosen twice: " + shared.join(", ") + ".";
      }
      showError(box, message);
      problems += message ? 1 : 0;
    });
    return problems;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("analysis-form");
    if (!form) { return; }
    form.querySelectorAll("[data-of]").forEach(function (group) {
      var owner = group.getAttribute("data-of");
      var select = form.querySelector('select[data-field="' + owner + '"]');
      if (select) { select.addEventListener("change", function () { fillChoices(form, owner, select.value); }); }
    });
    form.addEventListener("submit", function (event) {
      if (choiceProblems(form)) {
        event.preventDefault();
        return;
      }
      form.querySelector("button[type=submit]").disabled = true;
    });
  });
})();
