// See README.md. The namespace setup.mjs kept for `name`.
module.exports = function bridged(name) {
  const kept = globalThis[Symbol.for('celeriac.esm-bridge')];
  if (!kept || !kept[name]) {
    throw new Error(
      `esm-bridge: ${name} was required before test/utils/esm-bridge/setup.mjs ran; add it to the Jest config's setupFiles`,
    );
  }
  return kept[name];
};
