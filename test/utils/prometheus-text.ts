/**
 * A strict parser of Prometheus' text exposition format (0.0.4), for tests:
 * anything it does not understand is an error naming the line, so a
 * malformed `/metrics` fails the test instead of parsing to nothing.
 */

/** One sample line: `name{label="value",...} value`. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples. */
export interface PrometheusFamily {
  type?: string;
  help?: string;
  samples: PrometheusSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SAMPLE = new RegExp(`^(${NAME})(\\{.*\\})?\\s+(\\S+)(\\s+-?\\d+)?$`);
const COMMENT = new RegExp(`^#\\s+(HELP|TYPE)\\s+(${NAME})(?:\\s+(.*))?$`);
// A histogram's or summary's samples belong to the family without the suffix.
const SUFFIXES = ['_bucket', '_sum', '_count'];

function parseValue(text: string, line: number): number {
  // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and
  // Inf in any case; prom-client writes NaN as "Nan" (an event-loop-lag gauge
  // with no samples since the last scrape), and Prometheus accepts it.
  if (/^nan$/i.test(text)) {
    return NaN;
  }
  const infinity = /^([-+]?)(inf|infinity)$/i.exec(text);
  if (infinity) {
    return infinity[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`line ${line}: "${text}" is not a sample value`);
  }
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text.slice(1, -1).trim();
  while (rest !== '') {
    const match = /^([^=\s]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,\s*)?/.exec(rest);
    if (!match || !LABEL_NAME.test(match[1])) {
      throw new Error(`line ${line}: bad labels ${text}`);
    }
    if (match[1] in labels) {
      throw new Error(`line ${line}: label ${match[1]} twice`);
    }
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, char: string) =>
      char === 'n' ? '\n' : char,
    );
    rest = rest.slice(match[0].length);
    if (rest !== '' && !match[3]) {
      throw new Error(`line ${line}: labels not separated by commas`);
    }
  }
  return labels;
}

function familyOf(
  families: Map<string, PrometheusFamily>,
  sample: string,
): string {
  if (families.has(sample)) {
    return sample;
  }
  const suffix = SUFFIXES.find((end) => sample.endsWith(end));
  const base = suffix ? sample.slice(0, -suffix.length) : sample;
  const type = families.get(base)?.type;
  return suffix && (type === 'histogram' || type === 'summary') ? base : sample;
}

/**
 * Parses the text; throws on any line that is not a comment, a HELP or
 * TYPE line, or a sample, on an unknown type, a TYPE after samples or a
 * second TYPE or HELP for one family.
 *
 * @returns the families by name, in the order they appeared
 */
export function parsePrometheusText(
  text: string,
): Map<string, PrometheusFamily> {
  const families = new Map<string, PrometheusFamily>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) {
      found = { samples: [] };
      families.set(name, found);
    }
    return found;
  };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') {
      return;
    }
    if (trimmed.startsWith('#')) {
      const comment = COMMENT.exec(trimmed);
      if (!comment) {
        return;
      }
      const [, kind, name, rest = ''] = comment;
      const target = family(name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) {
          throw new Error(`line ${line}: unknown type "${rest}" for ${name}`);
        }
        if (target.type !== undefined || target.samples.length > 0) {
          throw new Error(`line ${line}: TYPE of ${name} comes too late`);
        }
        target.type = rest;
      } else {
        if (target.help !== undefined) {
          throw new Error(`line ${line}: second HELP for ${name}`);
        }
        target.help = rest.replace(/\\(.)/g, (_, char: string) =>
          char === 'n' ? '\n' : char,
        );
      }
      return;
    }
    const sample = SAMPLE.exec(trimmed);
    if (!sample) {
      throw new Error(`line ${line}: not a sample: ${raw}`);
    }
    const [, name, labels, value] = sample;
    family(familyOf(families, name)).samples.push({
      name,
      labels: labels ? parseLabels(labels, line) : {},
      value: parseValue(value, line),
    });
  });
  return families;
}
