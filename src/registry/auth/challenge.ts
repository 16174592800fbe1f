/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them:
 * `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`
 * or `Basic realm="…"`. Tolerant of spacing and quoting variants; knows nothing else about auth.
 */

export interface Challenge {
  /** Lowercase scheme: `bearer`, `basic`, … */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses every challenge in a header value; unparseable parts are skipped. Linear in the length; never throws. */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (header === undefined) return [];
  const challenges: Challenge[] = [];
  let i = 0;
  const text = header;
  const skipSpaces = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(text[i] as string)) i++;
    return text.slice(start, i);
  };
  while (i < text.length) {
    skipSpaces();
    const scheme = token();
    if (scheme === '') {
      i++;
      continue;
    }
    // No prototype: a parameter named `__proto__` or `constructor` is data.
    const params: Record<string, string> = Object.create(null);
    for (;;) {
      while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
      const save = i;
      const name = token();
      while (i < text.length && text[i] === ' ') i++;
      if (name === '' || text[i] !== '=') {
        i = save;
        break;
      }
      i++;
      while (i < text.length && text[i] === ' ') i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        // Unquoted: RFC 7235 says a token, but be lenient with unquoted URLs as some servers send.
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== ' ' && text[i] !== '\t') i++;
        value = text.slice(start, i);
      }
      params[name.toLowerCase()] = value;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text[i] === ',') i++;
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
  }
  return challenges;
}
