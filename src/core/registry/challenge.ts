// WWW-Authenticate parsing (RFC 7235 §4.1, RFC 9110 §11.6.1): a header may hold several challenges, each a
// scheme followed by a token68 or comma-separated auth-params whose values are tokens or quoted strings. Quoted
// values may contain commas (`scope="repository:a:pull,push"`) and backslash escapes. Parameter names are
// case-insensitive (lower-cased here); values are kept exactly as sent.

export interface Challenge {
  /** The scheme, lower-cased (`bearer`, `basic`). */
  scheme: string;
  /** Parameters by lower-cased name; values verbatim. */
  params: Record<string, string>;
  /** A token68 (`Negotiate abc==`), when the challenge has one instead of parameters. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]/;

/** Every challenge in one or more `WWW-Authenticate` header values. Malformed tails are skipped, never thrown. */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseWwwAuthenticate(h));
  const s = header;
  let i = 0;
  const out: Challenge[] = [];
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i] ?? '')) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    // at the opening quote
    i++;
    let v = '';
    while (i < s.length) {
      const c = s[i] ?? '';
      if (c === '\\' && i + 1 < s.length) {
        v += s[i + 1];
        i += 2;
      } else if (c === '"') {
        i++;
        return v;
      } else {
        v += c;
        i++;
      }
    }
    return v; // unterminated: take what there is
  };
  // Is position i at "name =" (an auth-param) rather than the start of a new challenge?
  const atParam = (): boolean => {
    const save = i;
    const name = readToken();
    skipWs();
    const isParam = name !== '' && s[i] === '=' && s[i + 1] !== '='; // 'abc==' would be a token68
    i = save;
    return isParam;
  };

  while (i < s.length) {
    skipWs();
    while (s[i] === ',') {
      i++;
      skipWs();
    }
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') {
      // garbage: skip to the next comma
      while (i < s.length && s[i] !== ',') i++;
      continue;
    }
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    skipWs();
    // token68?
    if (i < s.length && s[i] !== ',' && !atParam()) {
      const start = i;
      while (i < s.length && TOKEN68.test(s[i] ?? '')) i++;
      while (s[i] === '=') i++;
      if (i > start) ch.token68 = s.slice(start, i);
      skipWs();
      continue;
    }
    // auth-params until a comma followed by something that is not a param (the next challenge)
    for (;;) {
      skipWs();
      if (i >= s.length) break;
      if (s[i] === ',') {
        const save = i;
        i++;
        skipWs();
        while (s[i] === ',') {
          i++;
          skipWs();
        }
        if (i >= s.length) break;
        if (!atParam()) {
          i = save;
          break;
        }
      }
      if (!atParam()) {
        // unexpected text inside a challenge: skip to the next comma
        while (i < s.length && s[i] !== ',') i++;
        continue;
      }
      const name = readToken().toLowerCase();
      skipWs();
      i++; // '='
      skipWs();
      const value = s[i] === '"' ? readQuoted() : readToken();
      ch.params[name] = value;
    }
  }
  return out;
}

/** The first challenge with this scheme (case-insensitive), or undefined. */
export function findChallenge(challenges: readonly Challenge[], scheme: string): Challenge | undefined {
  const want = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === want);
}

/** Splits a Bearer challenge's `scope` into scopes (space-separated per the token spec). */
export function challengeScopes(c: Challenge | undefined): string[] {
  const scope = c?.params.scope;
  return scope ? scope.split(' ').filter(Boolean) : [];
}

/** `Authorization: Basic base64(user:password)` (RFC 7617, UTF-8). */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
