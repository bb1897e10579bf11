// Offline shell: pages come from the network first and the last shell when offline; hashed
// assets from the cache once fetched (their names change with their content). The API is never
// cached here: the app shows what the server says or that it cannot be reached.
const CACHE = "quartier-shell-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add("/")).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (event.request.mode === "navigate") {
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put("/", copy));
          return response;
        })
        .catch(() => caches.match("/")),
    );
    return;
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ??
          fetch(event.request).then((response) => {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(event.request, copy));
            return response;
          }),
      ),
    );
  }
});

// Web Push: the platform sends {kind, title, body, url} (services/notification/push.py). The
// notification shows as text; a click focuses an open Quartier window (or opens one) on the
// path the push names — always on this origin, whatever host the payload's URL carries.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(String(message.title || "Quartier"), {
      body: String(message.body || ""),
      icon: "/icon-192.png",
      badge: "/icon-192.png",
      tag: message.url ? String(message.url) : undefined,
      data: { url: String(message.url || "/notifications") },
    }),
  );
});

function pathOnThisOrigin(url) {
  try {
    const parsed = new URL(url, self.location.origin);
    return parsed.pathname.startsWith("/") && !parsed.pathname.startsWith("//") ? parsed.pathname + parsed.search : "/notifications";
  } catch {
    return "/notifications";
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(pathOnThisOrigin(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(target);
      return open.focus().then((focused) => (focused && "navigate" in focused ? focused.navigate(target) : focused));
    }),
  );
});
