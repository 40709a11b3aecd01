// The request stream: addresses drawn from a few hundred, the popular ones far more often (a Zipf
// law), as the sign-ups and logins of a real service repeat. Seeded, so a run can be repeated.
import { seededRandom } from '@bulwark/core';

const NAMES = ['ada', 'alan', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'dennis', 'frances', 'edsger', 'radia', 'tim', 'sophie', 'guido', 'hedy', 'john', 'katherine', 'niklaus', 'shafi', 'donald'];
// Domains and their share of the population: large providers, company domains, throwaway inboxes,
// domains that take no mail; a few addresses are malformed, as typed into a form.
const DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 30],
  ['outlook.com', 12],
  ['yahoo.com', 8],
  ['icloud.com', 5],
  ['proton.me', 3],
  ['acme-corp.io', 8],
  ['northwind.dev', 6],
  ['contoso.co.uk', 5],
  ['fabrikam.de', 4],
  ['initech.fr', 4],
  ['mailinator.com', 5],
  ['yopmail.com', 3],
  ['example.com', 3],
  ['company.test', 2],
];

/** The population of `size` addresses, in the order of their popularity rank. */
export function addressPopulation(size: number, seed: number): string[] {
  const random = seededRandom(seed ^ 0x5eed);
  const totalWeight = DOMAINS.reduce((sum, [, w]) => sum + w, 0);
  const seen = new Set<string>();
  const addresses: string[] = [];
  while (addresses.length < size) {
    let pick = random() * totalWeight;
    let domain = DOMAINS[0]![0];
    for (const [name, weight] of DOMAINS) {
      pick -= weight;
      if (pick < 0) {
        domain = name;
        break;
      }
    }
    const name = NAMES[Math.floor(random() * NAMES.length)]!;
    const number = Math.floor(random() * 1000);
    const roll = random();
    // About 2% malformed: a missing @, a doubled one, a trailing dot.
    const address =
      roll < 0.007 ? `${name}${number}.${domain}` : roll < 0.014 ? `${name}${number}@@${domain}` : roll < 0.02 ? `${name}.${number}@${domain}.` : `${name}.${number}@${domain}`;
    if (seen.has(address)) continue;
    seen.add(address);
    addresses.push(address);
  }
  return addresses;
}

/** Draws addresses from `population` with probability proportional to `1 / rank^exponent`. */
export function zipfStream(population: readonly string[], seed: number, exponent = 1): () => string {
  const random = seededRandom(seed);
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= population.length; rank++) {
    total += 1 / rank ** exponent;
    cumulative.push(total);
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return population[low]!;
  };
}
