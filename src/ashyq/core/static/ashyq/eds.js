// Signing a form's text with a digital signature (EDS) through NCALayer, the National Certification Authority's
// program on the person's computer, over its local WebSocket (the address is the site's setting, data-ncalayer-url).
// The request is NCALayer's commonUtils module: createCAdESFromBase64(storage, "SIGNATURE", base64 of the UTF-8 text,
// detached); the CMS it returns goes into the form's hidden "signature" field and the server checks it (core/eds.py).
// Without this script, or without NCALayer, the form is sent unsigned and the page says how to get NCALayer.
(function () {
  "use strict";

  // The text as the server checks it: line ends as \n, no surrounding blanks (core/eds.py normalise_text).
  function normalise(text) {
    return text.replace(/\r\n?/g, "\n").trim();
  }

  function base64Utf8(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return window.btoa(binary);
  }

  function setUp(box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=hidden]");
    var button = box.querySelector("[data-eds-sign]");
    var status = box.querySelector("[data-eds-status]");
    if (!form || !input || !button || !status || !window.WebSocket || !window.TextEncoder) return;
    var fixed = form.querySelector("[data-eds-text]");
    var field = fixed ? null : form.querySelector("[name='" + box.dataset.edsTextField + "']");
    if (!fixed && !field) return;
    var textNow = function () {
      return normalise(fixed ? fixed.textContent : field.value);
    };
    var signedText = null;
    var say = function (message) {
      status.textContent = message;
    };
    box.querySelector("[data-eds-controls]").hidden = false;

    if (field) {
      field.addEventListener("input", function () {
        if (input.value && textNow() !== signedText) {
          input.value = "";
          signedText = null;
          say(box.dataset.msgChanged);
        }
      });
    }

    button.addEventListener("click", function () {
      var text = textNow();
      if (!text) {
        say(box.dataset.msgEmpty);
        if (field) field.focus();
        return;
      }
      var socket;
      try {
        socket = new WebSocket(box.dataset.ncalayerUrl);
      } catch (e) {
        say(box.dataset.msgNoNcalayer);
        return;
      }
      var done = false;
      button.disabled = true;
      say(box.dataset.msgSigning);
      var finish = function (message) {
        if (done) return;
        done = true;
        button.disabled = false;
        say(message);
        try {
          socket.close();
        } catch (e) {
          /* already closed */
        }
      };
      socket.onopen = function () {
        socket.send(
          JSON.stringify({
            module: "kz.gov.pki.knca.commonUtils",
            method: "createCAdESFromBase64",
            args: ["PKCS12", "SIGNATURE", base64Utf8(text), false],
          })
        );
      };
      socket.onmessage = function (event) {
        var reply;
        try {
          reply = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (reply.code === undefined) return; // NCALayer's greeting with its version, before the answer
        if (String(reply.code) === "200" && reply.responseObject) {
          input.value = reply.responseObject;
          signedText = text;
          finish(box.dataset.msgSigned);
        } else if (reply.message === "action.canceled") {
          finish(box.dataset.msgCancelled);
        } else {
          finish(box.dataset.msgFailed + " " + (reply.message || reply.code));
        }
      };
      socket.onerror = function () {
        finish(box.dataset.msgNoNcalayer);
      };
      socket.onclose = function () {
        finish(box.dataset.msgNoNcalayer);
      };
    });
  }

  document.querySelectorAll("[data-eds]").forEach(setUp);
})();
