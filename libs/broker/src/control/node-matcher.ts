/**
 * kombu's `matcher` registry (`kombu/matcher.py`), which picks the nodes of
 * a broadcast sent with `pattern` and `matcher` instead of `destination`.
 */

const REGEXP_SPECIALS = /[\\^$.*+?()[\]{}|/]/g;

function escapeRegExp(text: string): string {
  return text.replace(REGEXP_SPECIALS, '\\$&');
}

// Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[`
// is a literal, and `]` right after `[` or `[!` belongs to the set.
function globToRegExp(pattern: string): RegExp {
  let source = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    index += 1;
    if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      let end = index;
      if (pattern[end] === '!') {
        end += 1;
      }
      if (pattern[end] === ']') {
        end += 1;
      }
      end = pattern.indexOf(']', end);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      const set = pattern.slice(index, end);
      index = end + 1;
      const negated = set.startsWith('!');
      const members = (negated ? set.slice(1) : set).replace(
        /[\\\]^[]/g,
        '\\$&',
      );
      source += `[${negated ? '^' : ''}${members}]`;
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^(?:${source})$`, 's');
}

/**
 * Whether `hostname` matches `pattern` under kombu's `matcher`: `glob`
 * (`fnmatch`, the whole name) or `pcre` (`re.match`, anchored at the start
 * only). An unknown matcher or an invalid expression matches nothing, as a
 * Python worker fails such a request instead of running it.
 *
 * @param hostname - this node's name
 * @param pattern - the request's `pattern`
 * @param matcher - the request's `matcher`
 */
export function matchesNode(
  hostname: string,
  pattern: string,
  matcher: string,
): boolean {
  try {
    if (matcher === 'glob') {
      return globToRegExp(pattern).test(hostname);
    }
    if (matcher === 'pcre') {
      // Sticky at index 0 is re.match: anchored at the start, not the end.
      return new RegExp(pattern, 'y').test(hostname);
    }
  } catch {
    // Not a valid JavaScript regular expression.
  }
  return false;
}
