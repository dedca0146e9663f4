/**
 * Demo accounts for the synthetic Yuzhong data (only with DEMO_DATA=1 on an empty database):
 * one per role, with a password printed in the README. Never use them on real data.
 */
import type { Db } from '../db/connection.ts';
import * as accountsRepo from '../db/repositories/accounts.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import { addUser } from '../services/accounts.ts';

export const DEMO_PASSWORD = 'demo-password-2026';

export async function loadDemoUsers(db: Db): Promise<string[]> {
  if ((await accountsRepo.listUsers(db)).length > 0) return [];
  // The inspector is an officer on one of the demo plan's drawn teams, so it has assignments.
  const officer = (await plansRepo.firstVisitTeam(db))?.[0];
  const made: string[] = [];
  for (const u of [
    { username: 'demo-admin', role: 'admin' },
    { username: 'demo-regulator', role: 'regulator', department: 'SCJG' },
    { username: 'demo-regulator2', role: 'regulator', department: 'SCJG' },
    { username: 'demo-reviewer', role: 'reviewer' },
    ...(officer ? [{ username: 'demo-inspector', role: 'inspector', officer }] : []),
  ]) {
    await addUser(db, { ...u, password: DEMO_PASSWORD });
    made.push(u.username);
  }
  return made;
}
