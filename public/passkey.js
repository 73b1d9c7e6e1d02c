// Passkeys (WebAuthn) in the browser. The server sends the options of a
// ceremony as JSON (binary fields in base64url); this turns them into the
// browser's call and its answer back into JSON for the server to check.
// - The account page (the app's WebAssembly) calls window.mspPasskey.
// - The sign-in code page is plain HTML: its "Use a passkey" button asks
//   the server for a challenge, lets the browser sign it, and posts the
//   answer with the page's own form.
"use strict";
(() => {
  const bytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const text = (buffer) => {
    let binary = "";
    for (const b of new Uint8Array(buffer)) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const listed = (credentials) => (credentials || []).map((c) => ({ ...c, id: bytes(c.id) }));
  /** A credential as JSON, with the fields of its `response` given. */
  const answer = (credential, response) =>
    JSON.stringify({
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response,
      extensions: credential.getClientExtensionResults(),
    });

  /** Creates a passkey with the options of `optionsJson`; the answer as JSON. */
  async function register(optionsJson) {
    const options = JSON.parse(optionsJson).publicKey;
    const publicKey = {
      ...options,
      challenge: bytes(options.challenge),
      user: { ...options.user, id: bytes(options.user.id) },
      excludeCredentials: listed(options.excludeCredentials),
    };
    const credential = await navigator.credentials.create({ publicKey });
    const response = credential.response;
    return answer(credential, {
      attestationObject: text(response.attestationObject),
      clientDataJSON: text(response.clientDataJSON),
      transports: response.getTransports ? response.getTransports() : [],
    });
  }

  /** Signs the challenge of `optionsJson` with a passkey; the answer as JSON. */
  async function authenticate(optionsJson) {
    const options = JSON.parse(optionsJson).publicKey;
    const publicKey = { ...options, challenge: bytes(options.challenge), allowCredentials: listed(options.allowCredentials) };
    const credential = await navigator.credentials.get({ publicKey });
    const response = credential.response;
    return answer(credential, {
      authenticatorData: text(response.authenticatorData),
      clientDataJSON: text(response.clientDataJSON),
      signature: text(response.signature),
      userHandle: response.userHandle ? text(response.userHandle) : null,
    });
  }

  const supported = () => typeof window.PublicKeyCredential === "function";
  window.mspPasskey = { register, authenticate, supported };

  /** The message of a server function's JSON error, if it has one. */
  const messageOf = (error) => {
    const value = error && typeof error === "object" ? Object.values(error)[0] : undefined;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.map((p) => p.message).join(" ");
    return value && value.message;
  };

  // The sign-in code page.
  const start = () => {
    const form = document.getElementById("login-passkey-form");
    if (!form) return;
    const button = form.querySelector("button");
    const problem = document.getElementById("login-passkey-error");
    const say = (message) => {
      problem.textContent = message;
      problem.hidden = false;
    };
    if (!supported()) {
      button.disabled = true;
      say("This browser cannot use passkeys. Enter a code instead.");
      return;
    }
    button.addEventListener("click", async () => {
      button.disabled = true;
      problem.hidden = true;
      try {
        const begin = await fetch("/api/login_passkey_begin", { method: "POST", headers: { Accept: "application/json" } });
        const body = await begin.json();
        if (!begin.ok) {
          say(messageOf(body) || "The passkey sign-in could not start. Try again.");
          return;
        }
        form.elements.credential.value = await authenticate(body);
        form.submit();
      } catch (error) {
        say("No passkey was used (cancelled or timed out). Try again, or enter a code.");
      } finally {
        button.disabled = false;
      }
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
