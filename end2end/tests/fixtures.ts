import { Browser, BrowserContext, expect, test as base } from "@playwright/test";

// Every spec imports `test` from here: each test fails when any page it
// opened (in its own context or one it made with `browser.newContext()` or
// `browser.newPage()`) logged a console error, threw an uncaught exception
// or broke the Content-Security-Policy.
//
// One kind of console error is expected: the browser logs "Failed to load
// resource: … status of 4xx" for every refused call to a server function
// or the API (`/api/…`), and the suite makes many on purpose (wrong
// passwords, a viewer's refused changes, invalid forms); the app shows its
// own message for each, and the tests check those messages. A page a test
// expects to be missing says so with `expectNotFound(path)`. A 4xx for
// anything else (a page, a script, a style sheet) and every 5xx still fail.

type Problems = string[];

let current: Problems | null = null;
let notFound = new Set<string>();
const watched = new WeakSet<BrowserContext>();

/** The current test opens `path` on purpose to see its 404 page. */
export function expectNotFound(path: string): void {
  notFound.add(path);
}

function expectedRefusal(text: string, url: string): boolean {
  const status = /^Failed to load resource: the server responded with a status of (4\d\d)\b/.exec(text)?.[1];
  if (!status) return false;
  try {
    const path = new URL(url).pathname;
    return path.startsWith("/api/") || (status === "404" && notFound.has(path));
  } catch {
    return false;
  }
}

async function watch(context: BrowserContext): Promise<void> {
  if (watched.has(context)) return;
  watched.add(context);
  context.on("console", (message) => {
    if (message.type() !== "error" || expectedRefusal(message.text(), message.location().url)) return;
    current?.push(`console: ${message.text()} (${message.location().url})`);
  });
  context.on("weberror", (error) => current?.push(`uncaught: ${error.error().message}`));
  // Runs in every document before its own scripts, so no violation is missed.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
}

function watchNewContexts(browser: Browser): void {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watch(context);
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    // Like Browser.newPage: closing the page closes its context. Awaited,
    // so that no context is still closing when the next test starts (its
    // hooks would meet a half-closed one).
    const closePage = page.close.bind(page);
    page.close = async (closeOptions) => {
      await closePage(closeOptions);
      await context.close();
    };
    return page;
  };
}

export const test = base.extend<{ problems: Problems }, { watchedBrowser: void }>({
  watchedBrowser: [
    async ({ browser }, use) => {
      watchNewContexts(browser);
      await use();
    },
    { scope: "worker", auto: true },
  ],
  problems: [
    async ({}, use) => {
      const problems: Problems = [];
      current = problems;
      notFound = new Set();
      await use(problems);
      current = null;
      expect(problems, "console errors, uncaught exceptions and CSP violations").toEqual([]);
    },
    { auto: true },
  ],
  context: async ({ context }, use) => {
    await watch(context);
    await use(context);
  },
});

export { expect };
