"""Browser-test helpers for the offline app (static/gridgov/sw.js, static/gridgov/offline.js).

Playwright's ``wait_for_function`` evaluates a string in the page, which the Content-Security-Policy refuses,
so these wait with ``page.evaluate`` on a promise (Playwright's own evaluation is not subject to the policy).
"""

from PIL import Image

ACTIVE = """() => new Promise((resolve, reject) => {
  navigator.serviceWorker.ready.then(() => resolve(!!navigator.serviceWorker.controller));
  setTimeout(() => reject(new Error("the service worker did not install in 10 s")), 10000);
})"""
# A copy of every waiting form, put in the outbox beside it: as if a flush had been cut off and run again.
KEEP_TWICE = """() => self.GridgovOutbox.items().then(items => Promise.all(items.map(item => {
  const copy = Object.assign({}, item); delete copy.id; return self.GridgovOutbox.put(copy); })))"""


def wait_until_controlled(page) -> None:
    """The service worker has installed and controls the page, so the pages opened from now on are kept. (A page
    whose loading began while the worker was installing stays uncontrolled: it is opened again.)"""
    if not page.evaluate(ACTIVE):
        page.reload()
    assert page.evaluate("() => !!navigator.serviceWorker.controller")


def upgrade(page) -> None:
    """Have the browser look for a new service worker now, and wait until the new one controls the page and has
    finished activating (dropping the old caches)."""
    page.evaluate("""() => new Promise((resolve, reject) => {
      navigator.serviceWorker.addEventListener("controllerchange", () => {
        const worker = navigator.serviceWorker.controller;
        if (worker.state === "activated") return resolve(true);
        worker.addEventListener("statechange", () => worker.state === "activated" && resolve(true));
      });
      navigator.serviceWorker.getRegistration().then(registration => registration.update());
      setTimeout(() => reject(new Error("no new service worker took control of the page in 10 s")), 10000);
    })""")


def kept(page) -> list[dict]:
    """What the outbox holds, without the photos (a File does not cross into Python)."""
    return page.evaluate("() => self.GridgovOutbox.items().then(items => items.map(item => ({id: item.id, "
                         "state: item.state, token: item.token, action: item.action, "
                         "fields: item.fields.map(field => [field[0], typeof field[1] === 'string' ? field[1] "
                         ": {file: field[1].name, size: field[1].size}])})))")


def photo(path, colour=(30, 120, 200)) -> str:
    Image.new("RGB", (640, 480), colour).save(path, format="JPEG")
    return str(path)


def still_offline(page) -> None:
    """After a navigation while the context is offline: tell the new document too. Chromium 150 keeps
    Playwright's offline emulation (``context.set_offline``) for the network and the document it was set on,
    but a document the service worker answers afterwards reads ``navigator.onLine`` as true, as a phone on a
    network without data would. DevTools' own network state makes it false and fires ``offline`` there, as a
    phone without signal does; ``context.set_offline(False)`` later brings it back with ``online``."""
    page.context.new_cdp_session(page).send("Network.overrideNetworkState", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
