// Web Push for this browser: asked for only when the person presses the button (never on load),
// subscribed with the platform's VAPID public key and handed to the API; turning it off removes
// the subscription on both sides. The subscription's id is kept here to remove it later.
import { api, unwrap } from "../../api/client";

const STORED_ID = "quartier.pushSubscription";

export type PushState = "unsupported" | "denied" | "on" | "off";

export function pushSupported(): boolean {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** The base64url VAPID key as the bytes PushManager.subscribe wants. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function currentPushState(): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  return subscription ? "on" : "off";
}

export async function turnPushOn(): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  const registration = await navigator.serviceWorker.ready;
  const { public_key } = unwrap(await api.GET("/api/v1/push/public-key"));
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: applicationServerKey(public_key ?? ""),
  });
  const json = subscription.toJSON();
  const saved = unwrap(await api.POST("/api/v1/me/push-subscriptions", {
    body: { endpoint: json.endpoint ?? "", keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } },
  }));
  if (saved.id) localStorage.setItem(STORED_ID, saved.id);
  return "on";
}

export async function turnPushOff(): Promise<PushState> {
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  const id = localStorage.getItem(STORED_ID);
  if (id) {
    await api.DELETE("/api/v1/me/push-subscriptions/{subscription_id}", { params: { path: { subscription_id: id } } });
    localStorage.removeItem(STORED_ID);
  }
  await subscription?.unsubscribe();
  return "off";
}
