// A real OpenID provider for the single sign-on tests: the certified
// `oidc-provider` package, on loopback, with its development login page
// (any login name and password; the login name is the person's subject).
//
//   node scripts/oidc-provider.mjs CLIENT_SECRET REDIRECT_URI...
//
// prints one JSON line with three issuers of the same kind, then serves
// until it is killed:
//   good     signs its ID tokens with a key its key set publishes;
//   expired  its token endpoint's clock runs two hours behind, so its ID
//            tokens expired an hour before they are issued;
//   foreign  publishes a key set without its signing key, so its ID tokens
//            carry a signature nobody can check against it.
// Every issuer knows the client `msp-manager` with CLIENT_SECRET.
//
// The claims of a person follow from the login name: `email` is the name
// when it has an `@`, else name@example.org; `groups` holds `msp-admins`
// for names starting with "boss", else `msp-staff`.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const [secret, ...redirects] = process.argv.slice(2);
if (!secret || redirects.length === 0) {
  console.error("usage: oidc-provider.mjs CLIENT_SECRET REDIRECT_URI...");
  process.exit(2);
}

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" };
}

function publicPart({ kty, n, e, kid, use, alg }) {
  return { kty, n, e, kid, use, alg };
}

async function listen() {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return server;
}

async function issuer(kind) {
  const server = await listen();
  const url = `http://127.0.0.1:${server.address().port}`;
  const key = signingKey(`${kind}-key`);
  const provider = new Provider(url, {
    clients: [
      {
        client_id: "msp-manager",
        client_secret: secret,
        redirect_uris: redirects,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [key] },
    cookies: { keys: [`cookie-key-${kind}-${Math.random()}`] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    pkce: { required: () => true },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: id.includes("@") ? id : `${id}@example.org`,
        email_verified: true,
        name: id,
        groups: id.startsWith("boss") ? ["msp-admins"] : ["msp-staff"],
      }),
    }),
  });
  // Its pages load a web font from Google and ask for a favicon it does
  // not have: both would be console errors in the browser tests (and the
  // font a request off this machine).
  provider.use(async (ctx, next) => {
    if (ctx.path === "/favicon.ico") {
      ctx.status = 204;
      return;
    }
    await next();
    if (typeof ctx.body === "string" && ctx.type === "text/html") {
      ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);/g, "");
    }
  });
  if (kind === "expired") {
    provider.use(async (ctx, next) => {
      if (ctx.path !== "/token") return next();
      const realNow = Date.now;
      Date.now = () => realNow() - 2 * 3600 * 1000;
      try {
        await next();
      } finally {
        Date.now = realNow;
      }
    });
  }
  if (kind === "foreign") {
    const other = publicPart(signingKey(`${kind}-key`));
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === "/jwks") ctx.body = { keys: [other] };
    });
  }
  server.on("request", provider.callback());
  return url;
}

const issuers = {
  good: await issuer("good"),
  expired: await issuer("expired"),
  foreign: await issuer("foreign"),
};
console.log(JSON.stringify(issuers));
