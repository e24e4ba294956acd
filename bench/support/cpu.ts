// CPU accounting on Linux (/proc), so a result says where the machine's time went: the server
// under test, PostgreSQL, the load generator, or something else on the machine (noise).
import fs from 'node:fs';

const USER_HZ = 100;

/** CPU seconds the whole machine spent busy so far (all cores), or null off Linux. */
export function machineBusySeconds(): number | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / USER_HZ;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by `root` and its direct children, or null off Linux. */
export function processTreeCpuSeconds(root: number): number | null {
  if (!fs.existsSync('/proc/self/stat')) return null;
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // after "(comm) ": state(3) ppid(4) … utime(14) stime(15), numbered from 1 over the line
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    if (pid !== root && Number(rest[1]) !== root) continue;
    total += (Number(rest[11]) + Number(rest[12])) / USER_HZ;
  }
  return total;
}
