// Reads the SIP2 message fixtures in test/fixtures/sip2 (see its PROVENANCE.md). Only tests use it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/sip2');

export interface FixtureMessage {
  name: string;
  direction: 'request' | 'response';
  /** null: the message carries no checksum */
  checksumValid: boolean | null;
  message: string;
}

export function nodeSip2Messages(): FixtureMessage[] {
  const [, ...rows] = fs.readFileSync(path.join(dir, 'node-sip2-messages.tsv'), 'latin1').split('\n').filter(Boolean);
  return rows.map((row) => {
    const [name, direction, valid, , message] = row.split('\t');
    return {
      name: name!, direction: direction!.startsWith('request') ? 'request' : 'response',
      checksumValid: valid === 'True' ? true : valid === 'False' ? false : null, message: message!,
    };
  });
}

export function evergreenRequests(): string[] {
  return fs.readFileSync(path.join(dir, 'evergreen-SIPServer-test.txt'), 'latin1').split('\n').filter(Boolean);
}
