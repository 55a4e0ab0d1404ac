// The Workflows tab: the FASTQ drop zone (pairs _R1/_R2 files by name, matches each pair to a
// sample id, uploads them and starts a bulk RNA-seq run), and the list of workflows, which
// follows a run's steps while one is pending or in progress.
(function () {
  "use strict";
  var MATE = /^(.+?)(?:[_.-]S\d+)?(?:[_.-]L\d{3})?[_.-]R?([12])(?:[_.-]\d{3})?\.f(?:ast)?q(?:\.gz)?$/i;
  var REFRESH_MS = 2000;

  // The sample a file's stem names: the sample id itself, or the longest id it starts with
  // followed by a separator (S1_S1_L001 is S1).
  function sampleOf(stem, sampleIds) {
    var best = null;
    sampleIds.forEach(function (id) {
      var prefixed = stem.indexOf(id) === 0 && /^[_.-]/.test(stem.slice(id.length));
      if ((stem === id || prefixed) && (best === null || id.length > best.length)) { best = id; }
    });
    return best;
  }

  function pairFiles(files, sampleIds) {
    var bySample = {};
    var problems = [];
    Array.prototype.forEach.call(files, function (file) {
      var match = MATE.exec(file.name);
      if (!match) { problems.push(file.name + ": not named like SAMPLE_R1.fastq.gz or SAMPLE_R2.fastq.gz."); return; }
      var sample = sampleOf(match[1], sampleIds);
      if (sample === null) { problems.push(file.name + ": no sample id of the sample table matches “" + match[1] + "”."); return; }
      var pair = bySample[sample] || (bySample[sample] = { sample: sample });
      var mate = match[2] === "1" ? "r1" : "r2";
      if (pair[mate]) { problems.push(file.name + ": sample " + sample + " already has a read " + match[2] + " file, " + pair[mate].name + "."); return; }
      pair[mate] = file;
    });
    var pairs = sampleIds.filter(function (id) { return bySample[id]; }).map(function (id) { return bySample[id]; });
    pairs.forEach(function (pair) {
      if (!pair.r1) { problems.push("Sample " + pair.sample + " has a read 2 file but no read 1 file."); }
    });
    // The counts become the assay table, which covers every sample of the sample table.
    var missing = sampleIds.filter(function (id) { return !bySample[id]; });
    if (files.length && missing.length) { problems.push("No FASTQ files for " + missing.join(", ") + ": the run needs every sample of the sample table."); }
    return { pairs: pairs, problems: problems };
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function showPairs(form, paired) {
    var table = form.querySelector("#fastq-pairs");
    var body = table.querySelector("tbody");
    body.textContent = "";
    paired.pairs.forEach(function (pair) {
      var row = document.createElement("tr");
      row.setAttribute("data-sample", pair.sample);
      cell(row, pair.sample);
      cell(row, pair.r1 ? pair.r1.name : "—");
      cell(row, pair.r2 ? pair.r2.name : "single end");
      pair.progress = cell(row, "waiting");
      body.appendChild(row);
    });
    table.hidden = paired.pairs.length === 0;
    var list = form.querySelector("#fastq-problems");
    list.textContent = "";
    paired.problems.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    form.querySelector("button[type=submit]").disabled = paired.pairs.length === 0 || paired.problems.length > 0;
  }

  function progressOf(pair, mate) {
    return {
      show: function (sent, total) { pair.progress.textContent = mate + ": " + (total ? Math.round((sent / total) * 100) : 100) + "%"; },
      say: function (message) { pair.progress.textContent = message; },
    };
  }

  function uploadPair(form, pair) {
    var url = form.getAttribute("data-sessions-url");
    var entry = { sample_id: pair.sample };
    return window.Pluto.uploadFile(url, pair.r1, "fastq", progressOf(pair, "read 1"))
      .then(function (file) {
        entry.fastq_1 = file.uuid;
        if (!pair.r2) { return null; }
        return window.Pluto.uploadFile(url, pair.r2, "fastq", progressOf(pair, "read 2"));
      })
      .then(function (file) {
        if (file) { entry.fastq_2 = file.uuid; }
        pair.progress.textContent = "uploaded";
        return entry;
      });
  }

  // One pair after another: each upload already uses the connection fully.
  function uploadAll(form, pairs) {
    var samples = [];
    return pairs.reduce(function (previous, pair) {
      return previous.then(function () { return uploadPair(form, pair).then(function (entry) { samples.push(entry); }); });
    }, Promise.resolve()).then(function () { return samples; });
  }

  function start(form, paired) {
    var status = form.querySelector("#fastq-status");
    form.querySelector("button[type=submit]").disabled = true;
    status.textContent = "Uploading " + paired.pairs.length + " samples…";
    uploadAll(form, paired.pairs)
      .then(function (samples) {
        status.textContent = "Starting the run…";
        var body = { pipeline: form.getAttribute("data-pipeline"), reference: form.querySelector("#fastq-reference").value, samples: samples };
        return window.Pluto.api("POST", form.getAttribute("data-runs-url"), body);
      })
      .then(function () { window.location.assign(window.location.pathname + "?tab=workflows"); },
        function (error) {
          status.textContent = "The run was not started: " + error.message;
          form.querySelector("button[type=submit]").disabled = false;
        });
  }

  function setUpDropZone(form) {
    var sampleIds = JSON.parse(document.getElementById("fastq-sample-ids").textContent);
    var zone = form.querySelector("#fastq-drop");
    var input = form.querySelector("#fastq-files");
    var paired = { pairs: [], problems: [] };
    function choose(files) { paired = pairFiles(files, sampleIds); showPairs(form, paired); }
    input.addEventListener("change", function () { choose(input.files); });
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      choose(event.dataTransfer.files);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); start(form, paired); });
    // Files chosen while the page was still loading.
    if (input.files.length) { choose(input.files); }
  }

  function busy() { return document.querySelector("#workflow-list [data-status=in_progress]") !== null; }

  // While a run is busy, the list is fetched again and swapped in, so its steps move on.
  function follow() {
    if (!busy()) { return; }
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("workflow-list");
          var list = document.getElementById("workflow-list");
          if (fresh && list) { list.replaceWith(fresh); }
          follow();
        }, follow);
    }, REFRESH_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("fastq-run");
    if (form && form.querySelector("#fastq-drop")) { setUpDropZone(form); }
    follow();
  });
})();
