import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesGlob } from '../../src/claims-expression/index.ts';

describe('matchesGlob', () => {
  const cases: Array<[pattern: string, text: string, expected: boolean]> = [
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', '', true],
    ['**', 'abc', true],
    ['a**b', 'ab', true],
    ['a**b', 'axxb', true],
    ['?', '', false],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['??', 'ab', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    ['abc', 'abcd', false],
    ['abc', 'ab', false],
    ['repo:contoso/*', 'repo:contoso/web:ref:refs/heads/main', true],
    ['repo:contoso/*', 'repo:fabrikam/web:ref:refs/heads/main', false],
    ['repo:contoso/*', 'repo:contoso', false],
    ['repo:Contoso/*', 'repo:contoso/web', false],
    ['*:ref:refs/heads/main', 'repo:contoso/web:ref:refs/heads/main', true],
    ['*:ref:refs/heads/main', 'repo:contoso/web:ref:refs/heads/main2', false],
    [
      '*/workflows/*.yml@refs/heads/main',
      'contoso/shared/.github/workflows/deploy.yml@refs/heads/main',
      true,
    ],
    ['*a*b', 'aaab', true],
    ['*a*b', 'aaaba', false],
    ['a*b*c', 'abxbc', true],
    ['a*b*c', 'acb', false],
    // Regular-expression and other special characters are literal.
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['^a+$', '^a+$', true],
    ['a\\*', 'a\\xyz', true],
    ['a\\*', 'axyz', false],
    // `?` is one code point, so it matches a whole astral character.
    ['?', '🙂', true],
    ['a?b', 'a🙂b', true],
    ['??', '🙂', false],
  ];
  for (const [pattern, text, expected] of cases) {
    test(`'${pattern}' ${expected ? 'matches' : 'does not match'} '${text}'`, () => {
      assert.equal(matchesGlob(text, pattern), expected);
    });
  }

  test('a pathological pattern against a long text is answered correctly in one pass', () => {
    const text = 'a'.repeat(10_000);
    assert.equal(matchesGlob(text, '*a*a*a*a*a*a*a*a*a*a*a*b'), false);
    assert.equal(matchesGlob(`${text}b`, '*a*a*a*a*a*a*a*a*a*a*a*b'), true);
    assert.equal(matchesGlob(text, `${'*a'.repeat(200)}*`), true);
    assert.equal(matchesGlob(text, `${'*a'.repeat(200)}*?b`), false);
    assert.equal(matchesGlob(text, '?'.repeat(10_000)), true);
    assert.equal(matchesGlob(text, '?'.repeat(10_001)), false);
  });
});
