/** Exact non-negative rational numbers on BigInt, for targets and rounding (never floats). */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new Error('zero denominator');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    this.num = num / g;
    this.den = den / g;
  }

  static of(n: number | bigint): Rational {
    return new Rational(BigInt(n));
  }

  /** Parses a decimal string such as '0.05' or '12' exactly. */
  static decimal(s: string): Rational {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
    if (!m) throw new Error(`not a decimal: ${s}`);
    const frac = m[2] ?? '';
    return new Rational(BigInt(m[1] + frac), 10n ** BigInt(frac.length));
  }

  add(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return new Rational(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    return new Rational(this.num * o.den, this.den * o.num);
  }
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }
  cmp(o: Rational): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  /** 'p/q' (or 'p' when whole), the exact form published in bundles. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
  /** A decimal approximation for people, e.g. 12.3456789 (not used in any decision). */
  toDecimal(digits = 10): string {
    const scale = 10n ** BigInt(digits);
    const scaled = (this.num * scale) / this.den;
    const int = scaled / scale;
    const frac = (scaled % scale).toString().padStart(digits, '0').replace(/0+$/, '');
    return frac ? `${int}.${frac}` : int.toString();
  }

  static parse(s: string): Rational {
    const [p, q] = s.split('/');
    return new Rational(BigInt(p), q === undefined ? 1n : BigInt(q));
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
