// The fragment cache that makes big pages cheap must never change what a page says: nested
// fragments, fragments first met inside another, and repeated use all splice to the plain
// JSON.stringify result.
import { describe, expect, it } from 'vitest';
import { JsonFragments } from '../stand-ins/common/json-fragments.ts';

describe('JsonFragments', () => {
  it('splices nested fragments created while serialising an outer one', () => {
    const f = new JsonFragments();
    const owner = { login: 'acme', id: 1 };
    const repo = () => ({ id: 7, name: 'api', owner: f.get('owner', () => owner) });
    const page = [1, 2].map((n) => ({ n, repo: f.get('repo', repo), user: f.get('owner', () => owner) }));
    const plain = [1, 2].map((n) => ({ n, repo: { id: 7, name: 'api', owner }, user: owner }));
    expect(f.stringify(page)).toBe(JSON.stringify(plain));
    expect(f.parse(f.get('repo', repo) as never)).toEqual(plain[0]!.repo);
  });

  it('leaves text without placeholders untouched, including strings with backslashes and NUL-free escapes', () => {
    const f = new JsonFragments();
    f.get('x', () => ({ a: 1 }));
    const value = { s: 'C:\\u0000F1 is not a placeholder', t: 'line\nbreak' };
    expect(f.stringify(value)).toBe(JSON.stringify(value));
  });
});
