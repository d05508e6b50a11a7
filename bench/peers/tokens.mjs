// The token stage: jose, fast-jwt (cache off and on) and plain node:crypto verifying the
// workload's token corpus (RS256, ES256, EdDSA; Keycloak, Entra ID, Okta shapes) with the same
// checks our TokenVerifier makes (signature, iss, aud, exp/nbf/iat against the corpus's instant).
// Every token of the corpus is valid: a peer that refuses one fails the run before any time is
// reported. Prints one JSON line per (peer, algorithm) and one per cache-hit measurement.
// Usage: node tokens.mjs --dir WORKLOAD_DIR [--size NAME]
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import { rssMb } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const dir = args.dir;
const meta = JSON.parse(fs.readFileSync(`${dir}/tokens-meta.json`, 'utf8'));
const corpus = fs.readFileSync(`${dir}/tokens.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const fresh = corpus.filter((p) => !p.repeat);
const issuers = new Map(meta.issuers.map((i) => [i.issuer, i.audience]));
const LEEWAY = 60;

const keys = new Map(meta.jwks.keys.map((k) => [k.kid, crypto.createPublicKey({ key: k, format: 'jwk' })]));
const pems = new Map([...keys].map(([kid, k]) => [kid, k.export({ type: 'spki', format: 'pem' })]));

function checkClaims(c) {
  const aud = issuers.get(c.iss);
  if (aud === undefined) throw new Error('unknown issuer');
  if (!(Array.isArray(c.aud) ? c.aud.includes(aud) : c.aud === aud)) throw new Error('wrong audience');
  if (typeof c.exp !== 'number' || meta.now > c.exp + LEEWAY) throw new Error('expired');
  if (c.nbf !== undefined && meta.now < c.nbf - LEEWAY) throw new Error('not yet valid');
  if (c.iat !== undefined && c.iat > meta.now + LEEWAY) throw new Error('issued in the future');
  return c;
}

// Plain node:crypto: split, decode, pick the key by kid, verify, parse, check.
const ALGS = { RS256: ['sha256', {}], ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }], EdDSA: [null, {}] };
function nodeCrypto(token) {
  const d1 = token.indexOf('.'), d2 = token.indexOf('.', d1 + 1);
  if (d1 < 0 || d2 < 0 || token.indexOf('.', d2 + 1) >= 0) throw new Error('malformed');
  const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url'));
  const alg = ALGS[header.alg];
  const key = keys.get(header.kid);
  if (!alg || !key) throw new Error('unknown key');
  const ok = crypto.verify(alg[0], Buffer.from(token.slice(0, d2)), { key, ...alg[1] },
                           Buffer.from(token.slice(d2 + 1), 'base64url'));
  if (!ok) throw new Error('bad signature');
  return checkClaims(JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url')));
}

// fast-jwt: one verifier per key (fast-jwt's sync API takes one key), chosen by the header's kid.
function fastJwtVerifiers(cache) {
  const v = new Map();
  for (const [kid, pem] of pems) {
    const alg = meta.jwks.keys.find((k) => k.kid === kid).alg;
    v.set(kid, createVerifier({ key: pem, algorithms: [alg], allowedIss: [...issuers.keys()],
                               allowedAud: [...issuers.values()], clockTimestamp: meta.now * 1000,
                               clockTolerance: LEEWAY, cache, cacheTTL: 600000 }));
  }
  return (token) => {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url'));
    return v.get(header.kid)(token);
  };
}

const joseKeys = jose.createLocalJWKSet(meta.jwks);
async function joseVerify(token) {
  const { payload } = await jose.jwtVerify(token, joseKeys, {
    issuer: [...issuers.keys()], currentDate: new Date(meta.now * 1000), clockTolerance: LEEWAY,
    algorithms: ['RS256', 'ES256', 'EdDSA'] });
  if (!(Array.isArray(payload.aud) ? payload.aud.includes(issuers.get(payload.iss)) : payload.aud === issuers.get(payload.iss))) {
    throw new Error('wrong audience');
  }
  return payload;
}

async function measure(name, alg, tokens, verify, passes = 2) {
  for (const p of tokens) {  // decisions first: every token must verify
    const c = await verify(p.token);
    if (typeof c.sub !== 'string') throw new Error(`${name}: no sub`);
  }
  const ns = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const p of tokens) {
      const t = process.hrtime.bigint();
      await verify(p.token);
      if (pass === passes - 1) ns.push(Number(process.hrtime.bigint() - t));
    }
  }
  ns.sort((a, b) => a - b);
  console.log(JSON.stringify({ engine: name, alg, size: args.size || dir, tokens: ns.length,
    median_ns: ns[ns.length >> 1], p99_ns: ns[Math.floor(ns.length * 0.99)], rss_mb: +rssMb().toFixed(1) }));
}

const sync = (f) => (t) => f(t);
try {
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    const tokens = fresh.filter((p) => p.alg === alg);
    await measure('node:crypto', alg, tokens, sync(nodeCrypto));
    await measure('fast-jwt (no cache)', alg, tokens, sync(fastJwtVerifiers(false)));
    await measure('jose', alg, tokens, joseVerify);
  }
  // Repeated tokens: fast-jwt with its verified-token cache, every fresh token seen before.
  const cached = fastJwtVerifiers(true);
  await measure('fast-jwt (cache hit)', 'all', fresh, sync(cached), 3);
} catch (e) {
  console.error(`error: a token peer refused a valid token: ${e.message}`);
  process.exit(3);
}
