import crypto from 'node:crypto';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { compareTickets, keyOfTicket, seedHash, ticketKey, ticketOf } from '../../src/domain/draw/tickets.ts';

describe('tickets of the consistent sampler', () => {
  it('reproduces the reference sampler’s published ticket for AB-130', () => {
    expect(ticketOf(seedHash('01382438112797316654'), 'AB-130')).toBe(
      '0.26299714122838008416507544297546663599715395525154425586041245287750224561854',
    );
  });

  it('orders dog, cat, fish, goat as the reference sampler does', () => {
    const h = seedHash('xy()134!g2n');
    const order = ['dog', 'cat', 'fish', 'goat'].sort((a, b) => compareTickets(ticketOf(h, a), ticketOf(h, b)));
    expect(order).toEqual(['cat', 'dog', 'goat', 'fish']);
  });

  it('computes the 18-digit sort key without BigInt exactly as the full ticket’s first digits', () => {
    const rng = seedrandom('0f4c3a1b8e2d7c6b5a4938271605f4e3d2c1b0a99887766554433221100ffeedd');
    for (let i = 0; i < 20000; i++) {
      const seed = crypto.createHash('sha256').update(String(rng())).digest('hex');
      const id = `91500103${Math.floor(rng() * 1e10)}`;
      const h = seedHash(seed);
      expect(ticketKey(h, id)).toEqual(keyOfTicket(ticketOf(h, id)));
    }
  });
});
