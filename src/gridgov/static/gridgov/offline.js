/* Offline is normal in mountain villages: gridgov's outbox and the word on the page when the phone is offline.

   A form marked <form data-offline-queue> is not sent by the browser but kept whole first (every field,
   the CSRF token, its one-time form_token and the photo files) in IndexedDB, then sent with fetch. When the
   phone is offline, or the send fails for want of network, it stays kept: the page says so and keeps what
   was typed. Kept forms are sent again, oldest first, as they were, when the phone is back online (the
   `online` event, the next page opened, a retry every little while, or Background Sync in the service
   worker). The form_token makes a form sent twice (a send that reached the server just before the signal
   dropped, two tabs sending at once) do its work once: the repeat is answered with the first answer.

   A send counts as done when the server answered with a redirect (every page POST that did its work
   redirects: gridgov/submissions.py). A send that fails for want of network counts as offline even while
   navigator.onLine says connected (a phone on a network without data): the page says offline until a send
   reaches the server. An answer that sends to the login page leaves the form waiting; any
   other answer (the form again with its errors, a refusal) keeps the form aside, and the form's page fills
   itself in again with it, so nothing typed is lost.

   The first part (the outbox) runs in pages and in the service worker (sw.js imports this file); the second
   only in pages. Its script tag names the service worker, the translation catalog, the login page and the
   health check it asks when the server could not be reached and nothing waits to be sent:
   <script src=".../offline.js" data-service-worker="/sw.js" data-catalog="/jsi18n/" data-login="/login/"
           data-health="/healthz">. */
(function (scope) {
  "use strict";

  var DATABASE = "gridgov-outbox";
  var STORE = "forms";
  var TOKEN_FIELD = "form_token";

  var settings = {login: "/login/"};
  var opened = null;
  var sender = Math.random().toString(36).slice(2);  // this page or worker, so that it ignores its own news

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function database() {
    if (!opened) {
      var request = scope.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, {keyPath: "id", autoIncrement: true});
      };
      opened = done(request);
    }
    return opened;
  }

  function store(mode) {
    return database().then(function (db) { return db.transaction(STORE, mode).objectStore(STORE); });
  }

  /** Every kept form, oldest first: {id, action, page, title, token, fields: [[name, text or File]], state,
      keptAt, status, html}; state "waiting" (to be sent) or "refused" (answered, kept for its page). */
  function items() {
    return store("readonly").then(function (forms) { return done(forms.getAll()); });
  }

  function put(item) {
    return store("readwrite").then(function (forms) { return done(forms.put(item)); });
  }

  function remove(id) {
    return store("readwrite").then(function (forms) { return done(forms.delete(id)); });
  }

  function fieldsOf(form, submitter) {
    var data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (notSupported) {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    var fields = [];
    data.forEach(function (value, name) { fields.push([name, value]); });
    return fields;
  }

  /** Keep the form as it is now; the same form kept again (same form_token) replaces what was kept. */
  function keep(form, submitter) {
    var fields = fieldsOf(form, submitter);
    var token = "";
    fields.forEach(function (field) { if (field[0] === TOKEN_FIELD) token = field[1]; });
    var heading = scope.document.querySelector("main h1");
    var item = {action: form.action, page: scope.location.href, token: token, fields: fields, state: "waiting",
                title: heading ? heading.textContent.trim() : scope.document.title, keptAt: Date.now()};
    return items().then(function (kept) {
      kept.forEach(function (old) {
        if (token && old.token === token && old.action === item.action) item.id = old.id;
      });
      if (scope.navigator.storage && scope.navigator.storage.persist) scope.navigator.storage.persist();
      return put(item);
    });
  }

  function body(item) {
    var data = new FormData();
    item.fields.forEach(function (field) {
      if (typeof field[1] === "string") data.append(field[0], field[1]);
      else data.append(field[0], field[1], field[1].name || "");
    });
    return data;
  }

  /** POST one kept form as it was. Its outcome: sent, refused (answered, not done), login, retry or offline. */
  function send(item) {
    return fetch(item.action, {method: "POST", body: body(item), credentials: "same-origin", redirect: "follow"})
      .then(function (response) {
        var landed = new URL(response.url);
        if (response.redirected && landed.pathname === settings.login) return {kind: "login"};
        if (!response.redirected && (response.status >= 500 || response.status === 429)) {
          return {kind: "retry", status: response.status};
        }
        return response.text().then(function (html) {
          return {kind: response.redirected ? "sent" : "refused", status: response.status, url: response.url,
                  html: html};
        });
      }, function () { return {kind: "offline"}; });
  }

  function locked(work) {
    // One sender at a time across tabs and the service worker (the form_token would make a double harmless).
    var locks = scope.navigator.locks;
    return locks ? locks.request(DATABASE, work) : work();
  }

  /** Send every waiting form, oldest first, until one cannot be sent now. Tells every tab what happened. */
  function flush() {
    return locked(function () {
      var report = {sent: [], refused: [], stopped: "", waiting: 0};
      return items().then(function (kept) {
        var waiting = kept.filter(function (item) { return item.state === "waiting"; });
        return waiting.reduce(function (previous, item) {
          return previous.then(function () {
            if (report.stopped) return;
            return send(item).then(function (outcome) {
              var summary = {id: item.id, action: item.action, page: item.page, token: item.token,
                             title: item.title, url: outcome.url, html: outcome.html};
              if (outcome.kind === "sent") {
                report.sent.push(summary);
                return remove(item.id);
              }
              if (outcome.kind === "refused") {
                report.refused.push(summary);
                item.state = "refused";
                item.status = outcome.status;
                item.html = outcome.html;
                return put(item);
              }
              report.stopped = outcome.kind;
            });
          });
        }, Promise.resolve());
      }).then(items).then(function (kept) {
        report.waiting = kept.filter(function (item) { return item.state === "waiting"; }).length;
        if (report.sent.length || report.refused.length) announce(report);
        return report;
      });
    });
  }

  function announce(report) {
    if (!scope.BroadcastChannel) return;
    var channel = new scope.BroadcastChannel(DATABASE);
    channel.postMessage({sender: sender, sent: report.sent, refused: report.refused.length});
    channel.close();
  }

  scope.GridgovOutbox = {
    SYNC_TAG: DATABASE, CHANNEL: DATABASE, TOKEN_FIELD: TOKEN_FIELD, settings: settings, sender: sender,
    available: !!(scope.indexedDB && scope.fetch && scope.FormData),
    items: items, keep: keep, put: put, remove: remove, flush: flush,
  };
  if (scope.GRIDGOV_SW) settings.login = scope.GRIDGOV_SW.login;
})(self);


/* ----------------------------------------------------------------------------------- the page's part */
(function () {
  "use strict";
  if (typeof document === "undefined") return;  // in the service worker: the outbox alone

  var outbox = self.GridgovOutbox;
  var script = document.currentScript;
  var config = script ? script.dataset : {};
  var STASHED = "gridgov-outbox-messages";  // server messages of a form sent just before leaving its page
  var NOT_RESTORED = ["csrfmiddlewaretoken", outbox.TOKEN_FIELD];
  var bar = null;
  var note = null;  // what the last send did: {tone, text, messages, links}
  var retryIn = 15000;
  var retryTimer = null;
  var probeIn = 5000;
  var probeTimer = null;
  // A page the service worker answered from its cache says when it was kept (sw.js: marked); it was answered
  // so because the network failed, whatever navigator.onLine says.
  var keptAt = keptTime();
  var unreachable = keptAt > 0;  // the last try to reach the server failed for want of network
  if (config.login) outbox.settings.login = config.login;

  function keptTime() {
    var meta = document.querySelector("meta[name=gridgov-kept]");
    return meta ? Number(meta.getAttribute("content")) || 0 : 0;
  }

  /** A moment as people say it: 12月3日 周四 18:00 in Chinese (the phone's own clock and time zone). */
  function when(milliseconds) {
    var moment = new Date(milliseconds);
    var language = document.documentElement.lang || "zh-Hans";
    var clock = ("0" + moment.getHours()).slice(-2) + ":" + ("0" + moment.getMinutes()).slice(-2);
    try {
      if (/^zh/i.test(language)) {
        var weekday = new Intl.DateTimeFormat("zh-Hans", {weekday: "short"}).format(moment);
        return (moment.getMonth() + 1) + "月" + moment.getDate() + "日 " + weekday + " " + clock;
      }
      return new Intl.DateTimeFormat(language, {month: "short", day: "numeric", weekday: "short"}).format(moment)
        + " " + clock;
    } catch (unsupported) {
      return moment.toLocaleString();
    }
  }

  function offline() {
    return !navigator.onLine || unreachable;
  }

  /** Unreachable with nothing to send (a kept page, say), it still asks every little while whether the server
      answers again (its health check, never kept by the service worker); once it does, the page stops saying
      offline and sends whatever was kept since. */
  function probe() {
    window.clearTimeout(probeTimer);
    if (!unreachable || !config.health) return;
    probeTimer = window.setTimeout(function () {
      fetch(config.health, {cache: "no-store", credentials: "same-origin"}).then(function () {
        unreachable = false;
        probeIn = 5000;
        retryIn = 15000;
        return flush();
      }, function () {
        probeIn = Math.min(probeIn * 2, 120000);
        probe();
      });
    }, probeIn);
  }

  /** What a flush tells of the network: it failed to reach the server, or something reached it. */
  function heard(report) {
    if (report.stopped === "offline") unreachable = true;
    else if (report.sent.length || report.refused.length || report.stopped) unreachable = false;
    return report;
  }

  // Django's catalog (/jsi18n/) defines window.gettext and window.ngettext; without it the words stay English.
  function gettext(text) { return typeof window.gettext === "function" ? window.gettext(text) : text; }

  function ngettext(singular, plural, count) {
    var text = typeof window.ngettext === "function" ? window.ngettext(singular, plural, count)
      : (count === 1 ? singular : plural);
    return text.replace("%(count)s", String(count));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function parse(html) {
    return new DOMParser().parseFromString(html || "", "text/html");
  }

  /** The messages a server page shows (its Django messages), as [{text, tone}]. */
  function messagesIn(html) {
    return Array.prototype.map.call(parse(html).querySelectorAll("ul.messages li"), function (item) {
      return {text: item.textContent.trim(), tone: /error|warning/.test(item.className) ? "error" : "success"};
    });
  }

  /** Why a server refused a form, in its own words: its messages, the errors by the fields, or its heading. */
  function reasonIn(html, status) {
    if (status === 403 && /CSRF/.test(html || "")) {
      // Logging in again gives the browser a new CSRF token: the kept one is no longer good.
      return gettext("The login changed after the form was filled in: open it and send it again.");
    }
    var page = parse(html);
    var found = page.querySelectorAll("ul.messages li.error, .errorlist li, [role=alert], .error");
    var texts = Array.prototype.map.call(found, function (node) { return node.textContent.trim(); })
      .filter(function (text, index, all) { return text && all.indexOf(text) === index; });
    if (!texts.length) {
      var heading = page.querySelector("main h1, h1");
      if (heading) texts.push(heading.textContent.trim());
    }
    return texts.join(" ");
  }

  function ensureBar() {
    if (bar && bar.isConnected) return bar;
    bar = element("div", "outbox-bar");
    bar.setAttribute("role", "status");
    bar.setAttribute("aria-live", "polite");
    var main = document.querySelector("main") || document.body;
    main.insertBefore(bar, main.firstChild);
    return bar;
  }

  function render() {
    return outbox.items().then(function (kept) {
      var waiting = kept.filter(function (item) { return item.state === "waiting"; });
      var refused = kept.filter(function (item) { return item.state === "refused"; });
      var box = ensureBar();
      box.textContent = "";
      if (offline()) {
        var offlineLine = element("p", "outbox-line outbox-offline");
        offlineLine.appendChild(element("strong", "", gettext("The phone is offline.")));
        offlineLine.appendChild(document.createTextNode(" " + gettext(
          "Pages show what was saved when they were last opened; what you send is kept on this phone and sent " +
          "when the network is back.")));
        box.appendChild(offlineLine);
      }
      if (keptAt) {
        var keptLine = element("p", "outbox-line outbox-kept",
                               gettext("This page is the copy kept on %(time)s.").replace("%(time)s", when(keptAt)));
        var again = element("span", "outbox-actions");
        var reload = element("button", "outbox-reload", gettext("Try again"));
        reload.type = "button";
        reload.setAttribute("data-offline-retry", "");
        again.appendChild(reload);
        keptLine.appendChild(again);
        box.appendChild(keptLine);
      }
      if (waiting.length) {
        var line = element("p", "outbox-line outbox-waiting",
                           gettext("Saved; it will be sent automatically when the network is back.") + " ");
        var count = ngettext("%(count)s waiting to be sent", "%(count)s waiting to be sent", waiting.length);
        line.appendChild(element("strong", "outbox-count", count));
        box.appendChild(line);
      }
      if (note) {
        var said = element("p", "outbox-line outbox-" + note.tone, note.text);
        (note.links || []).forEach(function (address) {
          var actions = element("span", "outbox-actions");
          var link = element("a", "outbox-open", gettext("See the result"));
          link.href = address;
          actions.appendChild(link);
          said.appendChild(actions);
        });
        box.appendChild(said);
        (note.messages || []).forEach(function (message) {
          box.appendChild(element("p", "outbox-line outbox-" + message.tone, message.text));
        });
      }
      refused.forEach(function (item) { box.appendChild(refusedLine(item)); });
      box.hidden = !box.childNodes.length;
    });
  }

  function refusedLine(item) {
    var line = element("p", "outbox-line outbox-error");
    var reason = reasonIn(item.html, item.status);
    line.appendChild(element("strong", "", gettext("Not sent:") + " " + (item.title || "")));
    if (reason) line.appendChild(document.createTextNode(" " + reason));
    var actions = element("span", "outbox-actions");
    if (item.page && item.page !== location.href) {
      var open = element("a", "outbox-open", gettext("Open the form"));
      open.href = item.page;
      actions.appendChild(open);
    }
    var drop = element("button", "outbox-drop", gettext("Discard"));
    drop.type = "button";
    drop.addEventListener("click", function () {
      if (window.confirm(gettext("Discard what was saved for this form? It will not be sent."))) {
        outbox.remove(item.id).then(render);
      }
    });
    actions.appendChild(drop);
    line.appendChild(actions);
    return line;
  }

  function queueForms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-offline-queue]"));
  }

  function tokenOf(form) {
    var field = form.elements.namedItem(outbox.TOKEN_FIELD);
    return field && field.value ? field.value : "";
  }

  /** Fill a form with what was kept of it (not its tokens: the page's own are the live ones). */
  function restore(form, item) {
    var values = {};
    item.fields.forEach(function (field) { (values[field[0]] = values[field[0]] || []).push(field[1]); });
    Object.keys(values).forEach(function (name) {
      if (NOT_RESTORED.indexOf(name) !== -1) return;
      var kept = values[name];
      var controls = form.querySelectorAll("[name=\"" + CSS.escape(name) + "\"]");
      Array.prototype.forEach.call(controls, function (control, index) {
        if (control.type === "file") {
          try {
            var transfer = new DataTransfer();
            kept.forEach(function (file) { if (typeof file !== "string" && file.size) transfer.items.add(file); });
            control.files = transfer.files;
          } catch (unsupported) { /* an old browser: the photo must be chosen again */ }
        } else if (control.type === "checkbox" || control.type === "radio") {
          control.checked = kept.indexOf(control.value) !== -1;
        } else if (control.multiple && control.options) {
          Array.prototype.forEach.call(control.options, function (option) {
            option.selected = kept.indexOf(option.value) !== -1;
          });
        } else if (["submit", "button", "reset", "image"].indexOf(control.type) === -1) {
          var value = kept[Math.min(index, kept.length - 1)];
          if (typeof value === "string") control.value = value;
        }
      });
    });
  }

  /** On a form's page: what waits from this very page shows in it; what was refused is filled in again. */
  function restoreForms(kept) {
    var restored = [];
    queueForms().forEach(function (form) {
      kept.forEach(function (item) {
        if (item.action !== form.action) return;
        if (item.state === "waiting" && item.token && item.token === tokenOf(form)) {
          restore(form, item);
        } else if (item.state === "refused") {
          restore(form, item);
          restored.push(outbox.remove(item.id));
          note = {tone: "error", text: gettext("What could not be sent is filled in again: check it and send it again.")
                  + " " + reasonIn(item.html, item.status)};
        }
      });
    });
    return Promise.all(restored);
  }

  function leave(sent) {
    // The server's messages were in the page fetch followed; show them on the page that is opened next.
    try {
      sessionStorage.setItem(STASHED, JSON.stringify(messagesIn(sent.html)));
    } catch (full) { /* then they are shown nowhere */ }
    location.assign(sent.url);
  }

  function showStashed() {
    var stashed;
    try {
      stashed = JSON.parse(sessionStorage.getItem(STASHED) || "[]");
      sessionStorage.removeItem(STASHED);
    } catch (unreadable) { stashed = []; }
    if (!stashed.length) return;
    var main = document.querySelector("main");
    if (!main || main.querySelector("ul.messages")) return;
    var list = element("ul", "messages");
    stashed.forEach(function (message) {
      list.appendChild(element("li", "message " + message.tone, message.text));
    });
    main.insertBefore(list, main.firstChild);
  }

  /** The server refused the form just sent from this page: show its answer here, as a browser would. */
  function showAnswer(html, form, item) {
    var page = parse(html);
    var theirs = page.querySelector("main");
    var ours = document.querySelector("main");
    if (!theirs || !ours) return;
    ours.innerHTML = theirs.innerHTML;
    if (page.title) document.title = page.title;
    var again = queueForms().filter(function (candidate) { return candidate.action === form.action; })[0];
    if (again && item) {
      // The server fills the text in again; the photos it cannot send back, so they come from what was kept.
      restore(again, {fields: item.fields.filter(function (field) { return typeof field[1] !== "string"; })});
    }
    window.scrollTo(0, 0);
  }

  function askForSync() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(outbox.SYNC_TAG);
    }).catch(function () { /* no Background Sync: the page sends when it is opened online */ });
  }

  function scheduleRetry(report) {
    window.clearTimeout(retryTimer);  // offline but "connected" (onLine true), it keeps trying
    if (!report.waiting) return probe();
    if (!navigator.onLine || report.stopped === "login") return;
    retryTimer = window.setTimeout(flush, retryIn);
    retryIn = Math.min(retryIn * 2, 120000);
  }

  function noteOf(report) {
    if (report.sent.length) {
      var messages = [];
      report.sent.forEach(function (sent) { messages = messages.concat(messagesIn(sent.html)); });
      return {tone: "success", messages: messages,
              text: ngettext("%(count)s saved form sent.", "%(count)s saved forms sent.", report.sent.length),
              links: report.sent.map(function (sent) { return sent.url; })};
    }
    if (report.stopped === "login") {
      return {tone: "error", text: gettext("Log in again to send what was saved.")};
    }
    return note;
  }

  /** After a send (here, in another tab or in the service worker): when a form of this very page went, follow
      it to where the server sent it; else say what happened. */
  function after(report) {
    heard(report);
    var here = report.sent.filter(function (sent) {
      return queueForms().some(function (form) {
        return form.action === sent.action && tokenOf(form) === sent.token;
      });
    })[0];
    if (here) return leave(here);
    note = noteOf(report);
    scheduleRetry(report);
    if (!report.stopped) retryIn = 15000;
    return render();
  }

  function flush() {
    if (!navigator.onLine) return render();
    return outbox.flush().then(after);
  }

  /** Keep the form, then send it with whatever waits before it. Without storage, the browser sends it itself. */
  function submit(form, submitter) {
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    var busy = function (yes) {
      if (yes) form.dataset.outboxBusy = "1"; else delete form.dataset.outboxBusy;
      if (!yes) form.classList.remove("is-busy");  // app.js's upload note (data-busy-form) ends with the outbox's send
      Array.prototype.forEach.call(buttons, function (button) { button.disabled = yes; });
    };
    busy(true);
    return outbox.keep(form, submitter).then(function (id) {
      return sendKept(form, id).catch(render);
    }, function () {
      // No IndexedDB after all (a private window, storage full): the browser sends it the ordinary way.
      busy(false);
      form.removeAttribute("data-offline-queue");
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    }).then(function () { busy(false); });
  }

  function sendKept(form, id) {
    if (!navigator.onLine) {
      note = null;
      askForSync();
      return render();
    }
    note = {tone: "info", text: gettext("Sending…")};
    render();
    return outbox.flush().then(heard).then(function (report) {
      var sent = report.sent.filter(function (item) { return item.id === id; })[0];
      if (sent) return leave(sent);
      var refused = report.refused.filter(function (item) { return item.id === id; })[0];
      if (refused) {
        // Answered at once, as the browser would have been: the answer replaces the page, nothing waits.
        return outbox.items().then(function (all) {
          var item = all.filter(function (candidate) { return candidate.id === id; })[0];
          return outbox.remove(id).then(function () {
            note = null;
            showAnswer(refused.html, form, item);
            return render();
          });
        });
      }
      note = noteOf(report);
      if (note && note.tone === "info") note = null;
      scheduleRetry(report);
      askForSync();
      return render();
    });
  }

  function listSavedPages() {
    var list = document.querySelector("[data-offline-pages]");
    if (!list || !window.caches) return;
    caches.open("gridgov-pages").then(function (cache) {
      return cache.keys().then(function (requests) {
        var pages = requests.filter(function (request) { return request.url.indexOf("/__gridgov-viewer") === -1; });
        return Promise.all(pages.reverse().map(function (request) {
            return cache.match(request).then(function (response) { return response.text(); }).then(function (html) {
              return {url: request.url, title: parse(html).title || request.url};
            });
          }));
      });
    }).then(function (pages) {
      pages.forEach(function (page) {
        var item = element("li");
        var link = element("a", "", page.title.replace(/ · gridgov 网格治理$/, ""));
        link.href = page.url;
        item.appendChild(link);
        list.appendChild(item);
      });
      var empty = document.querySelector("[data-offline-pages-empty]");
      if (empty) empty.hidden = pages.length > 0;
    });
  }

  function start() {
    showStashed();
    if (!outbox.available) return;
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-queue")) return;
      event.preventDefault();
      if (!form.dataset.outboxBusy) submit(form, event.submitter);
    });
    document.addEventListener("click", function (event) {
      if (event.target instanceof Element && event.target.closest("[data-offline-retry]")) location.reload();
    });
    window.addEventListener("online", function () { retryIn = 15000; flush(); });
    window.addEventListener("offline", render);
    if (window.BroadcastChannel) {
      new BroadcastChannel(outbox.CHANNEL).onmessage = function (event) {
        if (event.data.sender === outbox.sender) return;
        after({sent: event.data.sent || [], refused: [], stopped: "", waiting: 0});
      };
    }
    listSavedPages();
    outbox.items().then(restoreForms).then(function () {
      return outbox.items();
    }).then(function (kept) {
      var waiting = kept.some(function (item) { return item.state === "waiting"; });
      if (!waiting) probe();
      return waiting && navigator.onLine ? flush() : render();
    });
    if (config.serviceWorker && navigator.serviceWorker) {
      navigator.serviceWorker.register(config.serviceWorker, {scope: "/"}).catch(function () {
        /* no service worker (e.g. plain http off localhost): the outbox works in the page alone */
      });
    }
  }

  if (config.catalog && typeof window.gettext !== "function") {
    var catalog = document.createElement("script");
    catalog.src = config.catalog;
    catalog.onload = catalog.onerror = start;  // without the catalog (offline, not cached) the words are English
    document.head.appendChild(catalog);
  } else {
    start();
  }
})();
