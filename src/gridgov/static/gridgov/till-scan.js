/* The till reads the member's QR code with the phone's rear camera; typing the code stays the fallback.

   <button data-scan-qr="id_token" data-decoder="/static/vendor/jsqr/jsQR.js"> opens the camera in the panel
   [data-scan-panel] (a <video> and a stop button [data-scan-stop]), says how it goes in [data-scan-status], reads
   frames with jsQR (loaded on the first tap) and, on a hit, fills the field named by data-scan-qr and sends
   its form. The camera stops on a hit, on "stop", and when the page is left. */
(function () {
  "use strict";

  var FRAME_EVERY_MS = 120;
  var LARGEST_SIDE = 720;  // frames are scaled down to this before decoding: fast enough on an old phone

  function gettext(text) { return typeof window.gettext === "function" ? window.gettext(text) : text; }

  var decoder = null;
  function loadDecoder(address) {
    if (!decoder) {
      decoder = new Promise(function (resolve, reject) {
        if (typeof window.jsQR === "function") return resolve(window.jsQR);
        var script = document.createElement("script");
        script.src = address;
        script.onload = function () { resolve(window.jsQR); };
        script.onerror = function () { decoder = null; reject(new Error("decoder")); };
        document.head.appendChild(script);
      });
    }
    return decoder;
  }

  function whyNot(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return gettext("The camera may not be used: allow it in the browser's settings, or type the code.");
    }
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
      return gettext("This device has no camera to use. Type the member's code instead.");
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return gettext("The camera is busy in another app. Close it, or type the code.");
    }
    if (error && error.message === "decoder") {
      return gettext("The QR reader could not be loaded. Type the member's code instead.");
    }
    return gettext("The camera could not be started. Type the member's code instead.");
  }

  function Scanner(button) {
    this.button = button;
    this.field = document.getElementById(button.dataset.scanQr);
    this.panel = document.querySelector("[data-scan-panel]");
    this.video = this.panel.querySelector("video");
    this.status = document.querySelector("[data-scan-status]");
    this.canvas = document.createElement("canvas");
    this.stream = null;
    this.timer = null;
  }

  Scanner.prototype.say = function (text, tone) {
    this.status.textContent = text;
    this.status.className = "rw-scan-status" + (tone ? " rw-scan-" + tone : "");
  };

  Scanner.prototype.start = function () {
    var scanner = this;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      scanner.say(window.isSecureContext
        ? gettext("This browser cannot use the camera. Type the member's code instead.")
        : gettext("The camera works only on a site opened over HTTPS. Type the member's code instead."), "error");
      return;
    }
    scanner.say(gettext("Starting the camera…"));
    scanner.button.disabled = true;
    scanner.panel.hidden = false;
    var camera = navigator.mediaDevices.getUserMedia({audio: false, video: {facingMode: {ideal: "environment"}}});
    Promise.all([camera, loadDecoder(scanner.button.dataset.decoder)]).then(function (ready) {
      scanner.stream = ready[0];
      scanner.video.srcObject = scanner.stream;
      return scanner.video.play().then(function () {
        scanner.say(gettext("Hold the member's QR code in front of the camera."));
        scanner.read(ready[1]);
      });
    }).catch(function (error) {
      camera.then(function (stream) {  // the camera started but the reader did not load: let the camera go
        stream.getTracks().forEach(function (track) { track.stop(); });
      }, function () {});
      scanner.stop();
      scanner.say(whyNot(error), "error");
      scanner.field.focus();
    });
  };

  Scanner.prototype.read = function (jsQR) {
    var scanner = this;
    var video = scanner.video;
    if (!scanner.stream) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      var scale = Math.min(1, LARGEST_SIDE / Math.max(video.videoWidth, video.videoHeight));
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      scanner.canvas.width = width;
      scanner.canvas.height = height;
      var context = scanner.canvas.getContext("2d", {willReadFrequently: true});
      context.drawImage(video, 0, 0, width, height);
      var pixels = context.getImageData(0, 0, width, height).data;
      var found = jsQR(pixels, width, height, {inversionAttempts: "dontInvert"});
      if (found && found.data) return scanner.hit(found.data);
    }
    scanner.timer = window.setTimeout(function () { scanner.read(jsQR); }, FRAME_EVERY_MS);
  };

  Scanner.prototype.hit = function (text) {
    this.stop();
    this.field.value = text.trim();
    this.say(gettext("Code read. Checking it…"), "ok");
    var form = this.field.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  };

  Scanner.prototype.stop = function () {
    window.clearTimeout(this.timer);
    if (this.stream) this.stream.getTracks().forEach(function (track) { track.stop(); });
    this.stream = null;
    this.video.srcObject = null;
    this.panel.hidden = true;
    this.button.disabled = false;
  };

  var scanner = null;

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var button = target.closest("[data-scan-qr]");
    if (button) {
      scanner = scanner || new Scanner(button);
      scanner.start();
    } else if (target.closest("[data-scan-stop]") && scanner) {
      scanner.stop();
      scanner.say("");
      scanner.field.focus();
    }
  });

  window.addEventListener("pagehide", function () { if (scanner) scanner.stop(); });

  Array.prototype.forEach.call(document.querySelectorAll("[data-scan-qr]"), function (button) {
    button.hidden = false;  // shown only where this script runs: without it, typing is the way
  });
})();
