// Measures a burst of anonymous sign-ins against a running server: BURST
// wrong passwords for as many user names, all at once, ROUNDS times; prints
// the answers by status, the time per round, and the server's resident
// memory before and at its peak (from /proc, so run it on the server's
// machine). BASE_URL says where, SERVER_PID which process.
//
//   BASE_URL=http://127.0.0.1:3000 SERVER_PID=1234 node end2end/scripts/bench-sign-in.mjs
import { readFileSync } from "node:fs";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const pid = process.env.SERVER_PID;
const burst = Number(process.env.BURST ?? 48);
const rounds = Number(process.env.ROUNDS ?? 5);
const headers = {
  Origin: base,
  "Sec-Fetch-Site": "same-origin",
  Accept: "application/json",
  "Content-Type": "application/x-www-form-urlencoded",
};

function memory() {
  if (!pid) return { rss: NaN, peak: NaN };
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

const before = memory();
const statuses = {};
const times = [];
for (let round = 0; round < rounds; round++) {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: burst }, (_, i) =>
      fetch(`${base}/api/login`, {
        method: "POST",
        headers,
        body: new URLSearchParams({ username: `nobody-${round}-${i}`, password: "not the password", next: "" }),
      }).then((r) => r.status, () => "error"),
    ),
  );
  times.push(performance.now() - started);
  for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
}
const after = memory();
const sorted = [...times].sort((a, b) => a - b);
console.log(`${rounds} bursts of ${burst} anonymous sign-ins at once`);
console.log(`answers by status: ${JSON.stringify(statuses)}`);
console.log(`time per burst: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`);
console.log(`server RSS: ${before.rss.toFixed(0)} MB before, ${after.rss.toFixed(0)} MB after, peak ${after.peak.toFixed(0)} MB`);
