import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { yamlNestingOver } from '../../src/core/extract/limits';

/** The nesting pre-check reads only lines that can open a flow collection; these hold it to the full count. */
void describe('yamlNestingOver', () => {
  const plain = Array.from({ length: 300 }, (_, i) => `key${i}: value ${i}`).join('\n');

  void it('flow brackets after 300 bracket-free lines are still counted', () => {
    const deep = `image: ${'['.repeat(300)}x${']'.repeat(300)}`;
    const text = `${plain}\n${deep}\n`;
    assert.equal(yamlNestingOver(text, 256), plain.length + 1 + 'image: '.length + 255);
  });

  void it('a line of closing brackets only (no opening one) still closes the flow opened above it', () => {
    const text = [`a: ${'['.repeat(200)}`, ']'.repeat(200), `b: ${'['.repeat(200)}x${']'.repeat(200)}`, ''].join('\n');
    assert.equal(yamlNestingOver(text, 256), -1);
  });

  void it('brackets inside quotes or comments, after bracket-free lines, open nothing', () => {
    const text = `${plain}\nq: "${'['.repeat(300)}"\nc: 1 # ${'{'.repeat(300)}\n`;
    assert.equal(yamlNestingOver(text, 256), -1);
  });

  void it('block indentation 300 levels deep, with no bracket anywhere, is over the limit at its 257th line', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const text = lines.join('\n');
    assert.equal(yamlNestingOver(text, 256), lines.slice(0, 256).join('\n').length + 1);
  });
});
