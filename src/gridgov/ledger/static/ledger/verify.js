// Checks a points proof bundle in the browser (RFC 9162 inclusion, C2SP signed notes), with no request to the
// server: the same algorithm as gridgov/ledger/merkle.py and verifier.py. Ed25519 is WebCrypto's where the
// browser has it; where it does not, the hashes are still checked and the page says the signatures are not.
(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("verifier-words").textContent);
  var input = document.getElementById("proof-file");
  var keyInput = document.getElementById("proof-key");
  var out = document.getElementById("proof-result");
  var enc = new TextEncoder();

  function Fail(reason) { this.reason = reason; }
  function b64(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Fail(words.badProof);
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function concat() {
    var total = 0, i, offset = 0;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var out = new Uint8Array(total);
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], offset); offset += arguments[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  function node(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }

  async function verifyInclusion(index, size, leaf, path, root) {  // RFC 9162 §2.1.3.2
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (path[i].length !== 32 || sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(path[i], r);
        if (fn % 2 === 0) { while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await node(r, path[i]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(r, root);
  }

  async function parseKey(text) {
    var parts = String(text || "").trim().split("+");
    if (parts.length < 3) throw new Fail(words.badKey);
    var name = parts[0], hash = parts[1], raw = b64(parts.slice(2).join("+"));
    if (raw.length !== 33 || raw[0] !== 1) throw new Fail(words.badKey);
    var pub = raw.slice(1);
    var digest = await sha256(concat(enc.encode(name + "\n"), new Uint8Array([1]), pub));
    var hex = Array.from(digest.slice(0, 4), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    if (hex !== hash) throw new Fail(words.badKey);
    return { name: name, hash: digest.slice(0, 4), pub: pub };
  }

  function splitNote(note) {
    if (typeof note !== "string" || !note.endsWith("\n")) throw new Fail(words.badCheckpoint);
    var at = note.lastIndexOf("\n\n");
    if (at < 1) throw new Fail(words.badCheckpoint);
    var body = note.slice(0, at + 1), sigs = [];
    note.slice(at + 2, -1).split("\n").forEach(function (line) {
      var parts = line.split(" ");
      if (parts.length !== 3 || parts[0] !== "\u2014") throw new Fail(words.badCheckpoint);
      var raw = b64(parts[2]);
      sigs.push({ name: parts[1], hash: raw.slice(0, 4), sig: raw.slice(4) });
    });
    var lines = body.split("\n");
    if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Fail(words.badCheckpoint);
    var root = b64(lines[2]);
    if (root.length !== 32) throw new Fail(words.badCheckpoint);
    return { body: body, sigs: sigs, origin: lines[0], size: Number(lines[1]), root: root };
  }

  // true: verified; false: refused; null: this browser has no Ed25519.
  async function signedBy(note, key) {
    var sig = note.sigs.find(function (s) { return s.name === key.name && equal(s.hash, key.hash); });
    if (!sig) return false;
    var cryptoKey;
    try { cryptoKey = await crypto.subtle.importKey("raw", key.pub, { name: "Ed25519" }, false, ["verify"]); }
    catch (error) { return null; }
    return crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, sig.sig, enc.encode(note.body));
  }

  async function check(bundle, pinned) {
    if (!bundle || bundle.format !== "gridgov-points-proof/v1" || !Array.isArray(bundle.postings)) throw new Fail(words.notJson);
    if (pinned && bundle.log_key !== pinned) throw new Fail(words.badKey);
    var logKey = await parseKey(pinned || bundle.log_key);
    var note = splitNote(bundle.checkpoint);
    if (note.origin !== logKey.name) throw new Fail(words.badKey);
    var signed = await signedBy(note, logKey), checked = signed !== null;
    if (signed === false) throw new Fail(words.badSignature);
    var witnesses = 0, keys = Array.isArray(bundle.witness_keys) ? bundle.witness_keys : [];
    for (var w = 0; w < keys.length; w++) {
      var ok = await signedBy(note, await parseKey(keys[w]));
      if (ok === false) throw new Fail(words.badSignature);
      witnesses += 1;
    }
    var total = 0, seen = {};
    for (var i = 0; i < bundle.postings.length; i++) {
      var item = bundle.postings[i], content;
      if (!item || typeof item.entry !== "string" || !Array.isArray(item.proof) || seen[item.index]) throw new Fail(words.badEntry);
      seen[item.index] = true;
      try { content = JSON.parse(item.entry); } catch (error) { throw new Fail(words.badEntry); }
      var lines = Array.isArray(content) ? content[content.length - 2] : null;
      var mine = Array.isArray(lines) ? lines.filter(function (l) { return Array.isArray(l) && l[0] === bundle.account; }) : [];
      if (content[0] !== item.index + 1 || mine.length === 0) throw new Fail(words.badEntry);
      var leaf = await sha256(concat(new Uint8Array([0]), enc.encode(item.entry)));
      if (!(await verifyInclusion(item.index, note.size, leaf, item.proof.map(b64), note.root))) throw new Fail(words.badProof);
      mine.forEach(function (l) { total += l[1]; });
    }
    return words.ok + ": " + bundle.postings.length + " " + words.postings + " " + bundle.account + " (" +
      (total >= 0 ? "+" : "") + total + " " + words.points + ") " + words.size + " " + note.size + ", " +
      witnesses + " " + words.witnesses + "; " + (checked ? words.signatureChecked : words.signatureNotChecked) + ".";
  }

  function show(text, ok) { out.textContent = text; out.className = "result " + (ok ? "ok" : "failed"); }
  async function run() {
    var file = input.files && input.files[0];
    if (!file) return;
    var bundle;
    try { bundle = JSON.parse(await file.text()); } catch (error) { show(words.failed + ": " + words.notJson, false); return; }
    try { show(await check(bundle, keyInput.value.trim()), true); }
    catch (error) { show(words.failed + ": " + (error instanceof Fail ? error.reason : words.notJson), false); }
  }
  input.addEventListener("change", run);
  keyInput.addEventListener("change", run);
})();
