// Upload a file through a resumable upload session, in 8 MB parts: the Files tab's form, and
// Pluto.uploadFile for other pages (the FASTQ drop zone). A part that fails is retried after
// asking the server how much arrived.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;
  var RETRIES = 5;

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  function Progress(form) {
    var box = form.querySelector(".progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector("p");
    box.hidden = false;
    return {
      show: function (sent, total) {
        bar.value = total ? Math.round((sent / total) * 100) : 100;
        text.textContent = "Uploaded " + megabytes(sent) + " of " + megabytes(total) + " (" + bar.value + "%)";
      },
      say: function (message) { text.textContent = message; },
    };
  }

  // PUT bytes; resolves with the number of bytes the server now holds (or -1 when complete).
  function put(url, body, range, onProgress) {
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("PUT", url);
      request.setRequestHeader("Content-Range", range);
      request.upload.onprogress = function (event) { onProgress(event.loaded); };
      request.onload = function () {
        if (request.status === 200 || request.status === 201) { resolve(-1); return; }
        if (request.status === 308) { resolve(received(request.getResponseHeader("Range"))); return; }
        var data = null;
        try { data = JSON.parse(request.responseText); } catch (ignored) { data = null; }
        reject(new Error((data && data.message) || ("The server answered " + request.status)));
      };
      request.onerror = function () { reject(new Error("The connection dropped.")); };
      request.send(body);
    });
  }

  function received(range) {
    var match = /bytes=0-(\d+)/.exec(range || "");
    return match ? Number(match[1]) + 1 : 0;
  }

  function sendFrom(url, file, offset, progress, attempt) {
    if (offset >= file.size && file.size > 0) { return Promise.resolve(); }
    var end = Math.min(offset + CHUNK, file.size);
    var range = file.size ? "bytes " + offset + "-" + (end - 1) + "/" + file.size : "bytes */0";
    return put(url, file.slice(offset, end), range, function (loaded) { progress.show(offset + loaded, file.size); })
      .then(function (held) {
        if (held < 0) { return null; }
        return sendFrom(url, file, held, progress, 0);
      }, function (error) {
        if (attempt >= RETRIES) { throw error; }
        progress.say(error.message + " Resuming…");
        return wait(1000 * (attempt + 1))
          .then(function () { return put(url, null, "bytes */" + file.size, function () {}); })
          .then(function (held) { return held < 0 ? null : sendFrom(url, file, held, progress, attempt + 1); },
                function () { return sendFrom(url, file, offset, progress, attempt + 1); });
      });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // Resolves with the file the session stores (its uuid) once every byte arrived.
  function uploadFile(sessionsUrl, file, dataType, progress) {
    var session = { filename: file.name, data_type: dataType, file_size: file.size };
    return window.Pluto.api("POST", sessionsUrl, session).then(function (created) {
      return sendFrom(created.session_url, file, 0, progress, 0).then(function () { return created.file; });
    });
  }

  window.Pluto.uploadFile = uploadFile;

  function upload(form, file) {
    var progress = new Progress(form);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    progress.show(0, file.size);
    return uploadFile(form.getAttribute("data-sessions-url"), file, "attachment", progress)
      .then(function () {
        progress.show(file.size, file.size);
        progress.say("“" + file.name + "” was uploaded.");
        window.location.assign(window.location.pathname + "?tab=files");
      }, function (error) {
        progress.say("The upload failed: " + error.message);
        button.disabled = false;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("file-upload");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[type=file]");
      if (input.files.length) { upload(form, input.files[0]); }
    });
  });
})();
