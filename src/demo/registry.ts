/**
 * Synthetic but believable registry of Yuzhong district (渝中区, Chongqing) for a first start on
 * an empty database: departments, the inspection-matters list (抽查事项清单), about 3,000 market
 * entities over the 11 streets, about 80 inspectors, declared conflicts (回避), past inspections,
 * past violations and abnormal-list (经营异常名录) memberships.
 *
 * Pure: no database, no clock, no I/O. The output depends on the word lists and the seed only,
 * and is the same byte for byte on every run and machine, because every random choice comes from
 * one local seedrandom (ARC4) generator seeded with a fixed hex digest (never Math.random, never
 * entropy), and every date is computed from the fixed reference day DEMO_AS_OF rather than from
 * "today". The word lists (surnames, trade-name characters, shop names, roads, industries) are
 * data, in data/demo/words.json, read by src/demo/loadWords.ts and passed in by the caller.
 *
 * Everything here is invented. Names are built from the word lists; any resemblance to a real
 * entity or person is accidental. Some shapes follow real practice, as noted where they occur:
 * - USCC: registering authority 9 (market regulation), kind 1 enterprise / 2 individual business /
 *   3 cooperative; "other" entities are social-service organisations registered by civil affairs
 *   (authority 5, kind 2, 民办非企业单位), which the object registry may also hold. Codes issued
 *   after the 2015 "three certificates in one" reform carry MA (MJ for civil affairs) and 7 further
 *   characters; older enterprises kept their organisation code (8 digits + GB 11714 check), so
 *   some codes are all digits, which is what spreadsheets mangle.
 * - Industry codes: GB/T 4754-2017 classes with the section letter.
 * - Enforcement certificate numbers (执法证号), a demo convention: 15 digits =
 *   area code 500103 + department number (2 digits) + year of issue (4) + serial (3), for example
 *   500103012023014. Certificates are valid five years from issue. Auxiliary staff (辅助人员)
 *   hold no enforcement certificate: their registry key is a staff card number
 *   FZ + 500103 + department number (2) + serial (3), for example FZ50010301002.
 */
import seedrandom from 'seedrandom';
import { USCC_ALPHABET, withCheckCharacter } from '../domain/uscc.ts';
import { YUZHONG_STREETS, type EntityType, type Grade, type InspectorStatus, type RegistrationStatus } from '../domain/registry.ts';
import type {
  ConflictRecord, DepartmentRecord, InspectionRecord, InspectorPatch, MatterPatch, ObjectPatch, ViolationRecord,
} from '../domain/records.ts';
import type { DemoTrade, DemoWords } from './words.ts';

/** The text whose SHA-256 digest seeds the demo registry. */
export const DEMO_SEED_TEXT = 'double-random demo v1';
/** SHA-256('double-random demo v1'), hex. A unit test recomputes it. */
export const DEMO_SEED_HEX = 'c4578f8e9f9c942e755c8f78947949dd95293a98031ec1b228f51d25233b2752';
/** The day the demo registry describes ("as of"); all generated dates are on or before it. */
export const DEMO_AS_OF = '2026-11-28';
export const DEMO_OBJECT_COUNT = 3000;

/** An abnormal-operation list (经营异常名录) membership, for addAbnormalListing. */
export interface DemoAbnormalListing {
  uscc: string;
  listedOn: string;
  reason: string;
}

export interface DemoRegistry {
  departments: DepartmentRecord[];
  matters: MatterPatch[];
  objects: ObjectPatch[];
  inspectors: InspectorPatch[];
  conflicts: ConflictRecord[];
  inspections: InspectionRecord[];
  violations: ViolationRecord[];
  abnormalListings: DemoAbnormalListing[];
}

// ---------------------------------------------------------------------------- randomness and dates

/** All random choices of one generation, from one local generator. */
class Dice {
  private readonly next: () => number;

  constructor(seed: string) {
    const prng = seedrandom(seed);
    this.next = () => prng.double();
  }

  float(): number {
    return this.next();
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of entries) {
      r -= w;
      if (r < 0) return v;
    }
    return entries[entries.length - 1][0];
  }

  /** k distinct items, in random order (partial Fisher–Yates on a copy). */
  sample<T>(items: readonly T[], k: number): T[] {
    const a = items.slice();
    const n = Math.min(k, a.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (a.length - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, n);
  }

  /** A calendar day between from and to, both included (YYYY-MM-DD). */
  date(from: string, to: string): string {
    return isoOfDay(this.int(dayOf(from), dayOf(to)));
  }
}

const DAY_MS = 86_400_000;

function dayOf(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function addDays(iso: string, n: number): string {
  return isoOfDay(dayOf(iso) + n);
}

/** The day before the same date n years later (a certificate valid n years). */
function plusYearsMinusDay(iso: string, n: number): string {
  const d = new Date(Date.UTC(Number(iso.slice(0, 4)) + n, Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))));
  return isoOfDay(d.getTime() / DAY_MS - 1);
}

const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

// ---------------------------------------------------------------------------- departments and matters

interface DemoDepartment {
  code: string;
  name: string;
  /** Two digits inside certificate numbers. */
  number: string;
  /** Prefix of penalty decision numbers, e.g. 渝中市监处罚〔2025〕118号. */
  decisionPrefix: string;
  /** Prefix of orders to correct (责令改正通知书). */
  orderPrefix: string;
  officers: number;
  auxiliaries: number;
}

const DEPARTMENTS: DemoDepartment[] = [
  { code: 'SCJG', name: '渝中区市场监督管理局', number: '01', decisionPrefix: '渝中市监处罚', orderPrefix: '渝中市监责改', officers: 38, auxiliaries: 3 },
  { code: 'SW', name: '国家税务总局重庆市渝中区税务局', number: '02', decisionPrefix: '渝中税稽罚', orderPrefix: '渝中税限改', officers: 8, auxiliaries: 0 },
  { code: 'XF', name: '渝中区消防救援支队', number: '03', decisionPrefix: '渝中消行罚决字', orderPrefix: '渝中消限字', officers: 9, auxiliaries: 1 },
  { code: 'WJ', name: '渝中区卫生健康委员会', number: '04', decisionPrefix: '渝中卫公罚', orderPrefix: '渝中卫责改', officers: 7, auxiliaries: 1 },
  { code: 'STHJ', name: '重庆市渝中区生态环境局', number: '05', decisionPrefix: '渝中环罚', orderPrefix: '渝中环责改', officers: 6, auxiliaries: 0 },
  { code: 'WHLY', name: '渝中区文化和旅游发展委员会', number: '06', decisionPrefix: '渝中文旅罚', orderPrefix: '渝中文旅责改', officers: 7, auxiliaries: 0 },
];

/** A matter with what the generator needs to invent plausible past inspections of it. */
interface DemoMatter {
  patch: MatterPatch & { code: string; department: string };
  /** Whether an entity is a plausible object of this matter. */
  eligible: (o: DemoObject) => boolean;
  /** Share of the eligible entities one past task drew. */
  rate: number;
  /** Result-code sets of a problem found, the national standard's codes. */
  problems: string[][];
  violationTypes: string[];
}

const hasTag = (o: DemoObject, tag: string) => o.tags.includes(tag);
const inIndustry = (o: DemoObject, ...prefixes: string[]) => prefixes.some((p) => o.industryCode.startsWith(p));

const MATTERS: DemoMatter[] = [
  {
    patch: {
      code: 'SCJG-01', department: 'SCJG', name: '企业公示信息抽查', importance: 'key',
      legalBasis: '《企业信息公示暂行条例》第十四条', entityTypes: ['enterprise', 'cooperative'], method: '书面检查',
    },
    eligible: (o) => o.entityType === 'enterprise' || o.entityType === 'cooperative',
    rate: 0.03,
    problems: [['A', '2', 'B'], ['A', '2', 'B'], ['A', '2', '6'], ['A', '2', 'C']],
    violationTypes: ['未按规定公示应当公示的信息'],
  },
  {
    patch: {
      code: 'SCJG-02', department: 'SCJG', name: '餐饮服务食品安全监督检查', importance: 'key',
      legalBasis: '《中华人民共和国食品安全法》第一百一十条', entityTypes: ['enterprise', 'individual'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '食品经营') && o.industryCode.startsWith('H62'),
    rate: 0.06,
    problems: [['A', '3']],
    violationTypes: ['餐饮具未按规定清洗消毒', '从业人员未取得健康证明上岗', '食品经营许可证到期未延续', '未按规定查验记录进货'],
  },
  {
    patch: {
      code: 'SCJG-03', department: 'SCJG', name: '特种设备使用单位监督检查', importance: 'key',
      legalBasis: '《中华人民共和国特种设备安全法》第五十七条', entityTypes: ['enterprise', 'other'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '特种设备使用单位'),
    rate: 0.15,
    problems: [['A', '4']],
    violationTypes: ['使用未经定期检验的特种设备', '特种设备作业人员未持证上岗'],
  },
  {
    patch: {
      code: 'SCJG-04', department: 'SCJG', name: '流通领域商品质量抽查检验', importance: 'general', ratioCap: 0.05,
      legalBasis: '《中华人民共和国产品质量法》第十五条', entityTypes: ['enterprise', 'individual'], method: '检验检测',
    },
    eligible: (o) => inIndustry(o, 'F52') && !hasTag(o, '食品经营') && !hasTag(o, '药品经营'),
    rate: 0.05,
    problems: [['A', '4']],
    violationTypes: ['销售不合格产品'],
  },
  {
    patch: {
      code: 'SCJG-05', department: 'SCJG', name: '广告发布行为检查', importance: 'general', ratioCap: 0.03,
      legalBasis: '《中华人民共和国广告法》第四十九条', entityTypes: ['enterprise'], method: '网络监测',
    },
    eligible: (o) => o.entityType === 'enterprise',
    rate: 0.01,
    problems: [['A', '2', 'D']],
    violationTypes: ['发布违法广告（使用绝对化用语）', '发布虚假广告'],
  },
  {
    patch: {
      code: 'SCJG-06', department: 'SCJG', name: '明码标价和价格行为检查', importance: 'general', ratioCap: 0.05,
      legalBasis: '《中华人民共和国价格法》第三十四条', entityTypes: ['enterprise', 'individual'], method: '实地检查',
    },
    eligible: (o) => inIndustry(o, 'F52', 'H6', 'O80'),
    rate: 0.02,
    problems: [['A', '2', 'D']],
    violationTypes: ['未按规定明码标价'],
  },
  {
    patch: {
      code: 'SCJG-07', department: 'SCJG', name: '药品零售企业监督检查', importance: 'key',
      legalBasis: '《中华人民共和国药品管理法》第九十九条', entityTypes: ['enterprise', 'individual'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '药品经营'),
    rate: 0.25,
    problems: [['A', '3']],
    violationTypes: ['未凭处方销售处方药'],
  },
  {
    patch: {
      code: 'SW-01', department: 'SW', name: '纳税人依法纳税情况检查', importance: 'general', ratioCap: 0.03,
      legalBasis: '《中华人民共和国税收征收管理法》第五十四条', entityTypes: ['enterprise', 'individual'], method: '书面检查',
    },
    eligible: (o) => o.entityType === 'enterprise' || o.entityType === 'individual',
    rate: 0.006,
    problems: [['A', '5']],
    violationTypes: ['未按规定期限办理纳税申报'],
  },
  {
    patch: {
      code: 'XF-01', department: 'XF', name: '公众聚集场所消防安全检查', importance: 'key',
      legalBasis: '《中华人民共和国消防法》第五十三条', entityTypes: ['enterprise', 'individual', 'other'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '消防安全重点单位') || hasTag(o, '公共场所'),
    rate: 0.1,
    problems: [['A', '5']],
    violationTypes: ['消防设施、器材未保持完好有效', '占用、堵塞、封闭疏散通道、安全出口'],
  },
  {
    patch: {
      code: 'WJ-01', department: 'WJ', name: '公共场所卫生监督检查', importance: 'general', ratioCap: 0.1,
      legalBasis: '《公共场所卫生管理条例》第十条', entityTypes: ['enterprise', 'individual'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '公共场所') && o.entityType !== 'other',
    rate: 0.08,
    problems: [['A', '5']],
    violationTypes: ['从业人员未取得有效健康合格证明', '未按规定对顾客用品用具进行清洗消毒'],
  },
  {
    patch: {
      code: 'WJ-02', department: 'WJ', name: '医疗机构依法执业监督检查', importance: 'key',
      legalBasis: '《医疗机构管理条例》第四十条', entityTypes: ['enterprise', 'other'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '医疗机构'),
    rate: 0.3,
    problems: [['A', '5']],
    violationTypes: ['使用非卫生技术人员从事医疗卫生技术工作'],
  },
  {
    patch: {
      code: 'STHJ-01', department: 'STHJ', name: '重点排污单位执法检查', importance: 'key',
      legalBasis: '《中华人民共和国环境保护法》第二十四条', entityTypes: ['enterprise'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '重点排污单位'),
    rate: 0.4,
    problems: [['A', '5']],
    violationTypes: ['未按规定设置排污口标志', '超过排放标准排放大气污染物'],
  },
  {
    patch: {
      code: 'WHLY-01', department: 'WHLY', name: '娱乐场所和上网服务场所经营活动检查', importance: 'general', ratioCap: 0.1,
      legalBasis: '《娱乐场所管理条例》第三十三条', entityTypes: ['enterprise', 'individual'], method: '实地检查',
    },
    eligible: (o) => hasTag(o, '娱乐场所') || hasTag(o, '上网服务场所'),
    rate: 0.1,
    problems: [['A', '5']],
    violationTypes: ['未按规定悬挂未成年人禁入标志', '接纳未成年人进入营业性娱乐场所'],
  },
  {
    patch: {
      code: 'WHLY-02', department: 'WHLY', name: '旅行社经营行为检查', importance: 'general', ratioCap: 0.05,
      legalBasis: '《中华人民共和国旅游法》第八十五条', entityTypes: ['enterprise'], method: '书面检查',
    },
    eligible: (o) => hasTag(o, '旅行社'),
    rate: 0.05,
    problems: [['A', '5']],
    violationTypes: ['未与旅游者签订书面旅游合同'],
  },
];

// ---------------------------------------------------------------------------- objects

interface DemoObject {
  uscc: string;
  name: string;
  entityType: EntityType;
  industryCode: string;
  street: string;
  address: string;
  registeredOn: string;
  legalRepresentative: string;
  registrationStatus: RegistrationStatus;
  creditGrade?: Grade;
  gradedOn?: string;
  sectorGrade?: Grade;
  tags: string[];
}

type Street = (typeof YUZHONG_STREETS)[number];

/** GB 11714 organisation-code check character (weights 3 7 9 10 5 8 4 2, mod 11). */
function orgCodeCheck(body8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body8[i]) * weights[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Dates when the monthly credit-risk grading ran in 2026 (the annual batch on 31 March). */
const GRADING_DATES = ['2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-20'];

class ObjectFactory {
  private readonly usccs = new Set<string>();
  private readonly names = new Set<string>();
  // The character lists as arrays of characters (code points), drawn from by index.
  private readonly givenChars: string[];
  private readonly tradeFirst: string[];
  private readonly tradeSecond: string[];
  private readonly streetWeights: (readonly [Street, number])[];

  constructor(
    private readonly dice: Dice,
    private readonly words: DemoWords,
  ) {
    this.givenChars = [...words.givenNameChars];
    this.tradeFirst = [...words.tradeNameFirstChars];
    this.tradeSecond = [...words.tradeNameSecondChars];
    this.streetWeights = YUZHONG_STREETS.map((s) => [s, words.streetWeights[s]] as const);
  }

  personName(): string {
    const d = this.dice;
    const surname = d.weighted(this.words.surnames);
    const given = d.chance(0.3) ? d.pick(this.givenChars) : d.pick(this.givenChars) + d.pick(this.givenChars);
    return surname + given;
  }

  private street(trade: DemoTrade): Street {
    const d = this.dice;
    if (trade.streets && d.chance(0.7)) return d.pick(trade.streets);
    return d.weighted(this.streetWeights);
  }

  private address(street: Street): string {
    const d = this.dice;
    const base = `渝中区${d.pick(this.words.roads[street])}${d.int(1, 320)}号`;
    const r = d.float();
    if (r < 0.2) return `${base}附${d.int(1, 12)}号`;
    if (r < 0.45) return `${base}${d.int(1, 32)}-${d.int(1, 12)}`;
    if (r < 0.55) return `${base}${d.int(1, 6)}楼`;
    return base;
  }

  /** A registration day, more of them recent, as in every register. */
  private registrationDate(firstYear: number): string {
    const d = this.dice;
    const years: [number, number][] = [];
    for (let y = firstYear; y <= 2026; y++) years.push([y, y < 2005 ? 1 : y < 2015 ? 3 : y < 2026 ? 6 : 5]);
    const year = d.weighted(years);
    return d.date(`${year}-01-01`, minDate(`${year}-12-31`, addDays(DEMO_AS_OF, -1)));
  }

  /** Nine body characters after kind and area: MA/MJ style after the 2015 reform, else the organisation code. */
  private uscc(prefix: string, registeredOn: string, newStyle: string): string {
    const d = this.dice;
    for (;;) {
      let body: string;
      if (registeredOn >= '2015-10-01' || newStyle === 'MJ' || prefix[1] === '2') {
        body = newStyle;
        while (body.length < 9) body += d.pick([...USCC_ALPHABET]);
      } else {
        let digits = String(d.int(2, 7));
        while (digits.length < 8) digits += String(d.int(0, 9));
        body = digits + orgCodeCheck(digits);
      }
      const code = withCheckCharacter(`${prefix}500103${body}`);
      if (!this.usccs.has(code)) {
        this.usccs.add(code);
        return code;
      }
    }
  }

  /** Reserves a name, or returns false if an entity already has it. */
  private claim(name: string): boolean {
    if (this.names.has(name)) return false;
    this.names.add(name);
    return true;
  }

  private enterpriseName(trade: DemoTrade): string {
    const d = this.dice;
    for (let i = 0; i < 50; i++) {
      const first = d.pick(this.tradeFirst);
      let second = d.pick(this.tradeSecond);
      if (second === first) second = d.pick(this.tradeSecond);
      const name = `${d.chance(0.15) ? '重庆市' : '重庆'}${first}${second}${d.pick(trade.words)}`;
      if (this.claim(name)) return name;
    }
    // Practically unreachable; a three-character trade name keeps the name unique.
    for (;;) {
      const name = `重庆${d.pick(this.tradeFirst)}${d.pick(this.tradeSecond)}${d.pick(this.tradeSecond)}${d.pick(trade.words)}`;
      if (this.claim(name)) return name;
    }
  }

  private shopName(trade: DemoTrade, operator: string): string {
    const d = this.dice;
    for (let i = 0; i < 30; i++) {
      const r = d.float();
      const brand = r < 0.25 ? `${operator[0]}记` : r < 0.4 ? `老${operator[0]}` : r < 0.75 ? d.pick(this.words.shopNames) : operator;
      const name = `渝中区${brand}${d.pick(trade.words)}`;
      if (this.claim(name)) return name;
    }
    for (let n = 2; ; n++) {
      const name = `渝中区${operator}${d.pick(trade.words)}${n > 2 ? `（${n}）` : ''}`;
      if (this.claim(name)) return name;
    }
  }

  private organisationName(trade: DemoTrade): string {
    const d = this.dice;
    for (;;) {
      const brand = d.chance(0.5) ? d.pick(this.words.shopNames) : d.pick(this.tradeFirst) + d.pick(this.tradeSecond);
      const name = `重庆市渝中区${brand}${d.pick(trade.words)}`;
      if (this.claim(name)) return name;
    }
  }

  private status(registeredOn: string): RegistrationStatus {
    const d = this.dice;
    const pInactive = registeredOn < '2010-01-01' ? 0.25 : registeredOn < '2018-01-01' ? 0.12 : 0.04;
    if (!d.chance(pInactive)) return 'active';
    return d.weighted([['deregistered', 60], ['revoked', 25], ['moved_out', 12], ['cancelled', 3]] as const);
  }

  private tags(trade: DemoTrade): string[] {
    const tags: string[] = [];
    if (trade.food) tags.push(trade.food);
    for (const [tag, p] of trade.tags ?? []) if (this.dice.chance(p)) tags.push(tag);
    return tags;
  }

  make(entityType: EntityType): DemoObject {
    const d = this.dice;
    const trades = this.words.trades[entityType];
    const trade = d.weighted(trades.map((t) => [t, t.weight] as const));
    // Credit grade first: an unrated entity is one registered too recently to have been graded.
    const grade = d.weighted([['A', 30], ['B', 50], ['C', 12], ['D', 5], [null, 3]] as const);
    const registeredOn = grade === null ? d.date('2026-09-01', addDays(DEMO_AS_OF, -1)) : this.registrationDate(entityType === 'enterprise' ? 1995 : 2000);
    let status: RegistrationStatus = grade === null ? 'active' : this.status(registeredOn);
    const operator = this.personName();
    const street = this.street(trade);
    const prefix = { enterprise: '91', individual: '92', cooperative: '93', other: '52' }[entityType];
    const uscc = this.uscc(prefix, registeredOn, entityType === 'other' ? 'MJ' : 'MA');
    const name =
      entityType === 'enterprise' ? this.enterpriseName(trade)
      : entityType === 'individual' ? this.shopName(trade, operator)
      : this.organisationName(trade);
    let creditGrade: Grade | undefined = grade ?? undefined;
    // Revoked licences mostly go with a high-risk grade.
    if (status === 'revoked' && creditGrade && d.chance(0.6)) creditGrade = 'D';
    if (status === 'cancelled' && creditGrade === 'A') status = 'deregistered';
    const obj: DemoObject = {
      uscc,
      name,
      entityType,
      industryCode: trade.code,
      street,
      address: this.address(street),
      registeredOn,
      legalRepresentative: operator,
      registrationStatus: status,
      tags: this.tags(trade),
    };
    if (creditGrade) {
      obj.creditGrade = creditGrade;
      const batch = d.weighted(GRADING_DATES.map((g, i) => [g, i === 0 ? 12 : 1] as const));
      obj.gradedOn = batch >= registeredOn ? batch : (GRADING_DATES.find((g) => g >= registeredOn) ?? DEMO_AS_OF);
    }
    if (trade.food) obj.sectorGrade = d.weighted([['A', 20], ['B', 55], ['C', 18], ['D', 7]] as const);
    if (entityType === 'enterprise' && creditGrade === 'A' && d.chance(0.08)) obj.tags.push('守合同重信用');
    return obj;
  }
}

function toPatch(o: DemoObject): ObjectPatch {
  const p: ObjectPatch = {
    uscc: o.uscc,
    name: o.name,
    entityType: o.entityType,
    industryCode: o.industryCode,
    street: o.street,
    address: o.address,
    registeredOn: o.registeredOn,
    legalRepresentative: o.legalRepresentative,
    registrationStatus: o.registrationStatus,
  };
  if (o.creditGrade) {
    p.creditGrade = o.creditGrade;
    p.gradedOn = o.gradedOn;
  }
  if (o.sectorGrade) p.sectorGrade = o.sectorGrade;
  p.tags = o.tags;
  return p;
}

// ---------------------------------------------------------------------------- inspectors

interface DemoInspector {
  patch: InspectorPatch & { certificateNo: string; department: string; qualifications: string[] };
  officer: boolean;
}

function makeInspectors(dice: Dice, people: ObjectFactory): DemoInspector[] {
  const usedNames = new Set<string>();
  const uniqueName = () => {
    for (;;) {
      const n = people.personName();
      if (!usedNames.has(n)) {
        usedNames.add(n);
        return n;
      }
    }
  };
  const out: DemoInspector[] = [];
  for (const dept of DEPARTMENTS) {
    const matterCodes = MATTERS.filter((m) => m.patch.department === dept.code).map((m) => m.patch.code);
    const serials = new Map<string, number>();
    for (let i = 0; i < dept.officers; i++) {
      const validFrom = dice.date('2022-01-01', '2026-10-31');
      const year = validFrom.slice(0, 4);
      const serial = (serials.get(year) ?? 0) + 1;
      serials.set(year, serial);
      let qualifications: string[];
      if (dept.code === 'SCJG') {
        // Everyone checks enterprise disclosures; the specialised fields are spread out.
        qualifications = matterCodes.filter((c, k) => k === 0 || dice.chance(0.45));
      } else {
        qualifications = matterCodes.filter(() => dice.chance(0.85));
        if (qualifications.length === 0) qualifications = [dice.pick(matterCodes)];
      }
      out.push({
        officer: true,
        patch: {
          certificateNo: `500103${dept.number}${year}${String(serial).padStart(3, '0')}`,
          name: uniqueName(),
          department: dept.code,
          validFrom,
          validTo: plusYearsMinusDay(validFrom, 5),
          qualifications,
          kind: 'officer',
          status: 'active',
          yearlyCapacity: dice.int(4, 12) * 10,
        },
      });
    }
    for (let i = 0; i < dept.auxiliaries; i++) {
      out.push({
        officer: false,
        patch: {
          certificateNo: `FZ500103${dept.number}${String(i + 1).padStart(3, '0')}`,
          name: uniqueName(),
          department: dept.code,
          qualifications: dice.sample(matterCodes, dice.int(1, Math.min(2, matterCodes.length))).sort(),
          kind: 'auxiliary',
          status: 'active',
          yearlyCapacity: dice.int(4, 8) * 10,
        },
      });
    }
  }
  // Every SCJG matter needs enough qualified officers to form teams.
  const scjg = out.filter((i) => i.officer && i.patch.department === 'SCJG');
  for (const m of MATTERS.filter((x) => x.patch.department === 'SCJG')) {
    const code = m.patch.code;
    while (scjg.filter((i) => i.patch.qualifications.includes(code)).length < 8) {
      const i = dice.pick(scjg.filter((x) => !x.patch.qualifications.includes(code)));
      i.patch.qualifications = MATTERS.map((x) => x.patch.code).filter((c) => c === code || i.patch.qualifications.includes(c));
    }
  }
  // The awkward cases a real registry holds: certificates about to expire, lapsed ones, people away.
  const officers = dice.sample(out.filter((i) => i.officer), 10);
  const reissue = (i: DemoInspector, validTo: string) => {
    const validFrom = addDays(plusYearsMinusDay(validTo, -5), 2);
    const dept = DEPARTMENTS.find((d) => d.code === i.patch.department)!;
    i.patch.validFrom = validFrom;
    i.patch.validTo = validTo;
    // Keep the number's year equal to the year of issue; serials from 900 cannot clash.
    i.patch.certificateNo = `500103${dept.number}${validFrom.slice(0, 4)}${String(900 + out.indexOf(i) % 100).padStart(3, '0')}`;
  };
  for (const i of officers.slice(0, 4)) reissue(i, addDays(DEMO_AS_OF, dice.int(5, 60)));
  for (const i of officers.slice(4, 6)) reissue(i, dice.date('2026-04-01', '2026-10-31'));
  for (const i of officers.slice(6, 8)) i.patch.status = 'on_leave' satisfies InspectorStatus;
  for (const i of officers.slice(8, 10)) i.patch.status = 'left' satisfies InspectorStatus;
  return out;
}

// ---------------------------------------------------------------------------- history

interface HistoryOut {
  inspections: InspectionRecord[];
  violations: ViolationRecord[];
  abnormalListings: DemoAbnormalListing[];
  /** Cases an officer handled, for recusal on grounds of an earlier case. */
  cases: { uscc: string; officers: string[]; decision: string }[];
}

const ANNUAL_REPORT_REASON = '未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告';
const UNREACHABLE_REASON = '通过登记的住所或者经营场所无法联系';
const FALSE_DISCLOSURE_REASON = '公示企业信息隐瞒真实情况、弄虚作假';

function makeHistory(dice: Dice, objects: DemoObject[], inspectors: DemoInspector[]): HistoryOut {
  const inspections: InspectionRecord[] = [];
  const violations: ViolationRecord[] = [];
  const abnormal = new Map<string, DemoAbnormalListing>();
  const cases: HistoryOut['cases'] = [];
  const inspectionKeys = new Set<string>();
  const violationKeys = new Set<string>();
  const decisionNumbers = new Map<string, number>();

  const decide = (dept: DemoDepartment, date: string): string => {
    const year = date.slice(0, 4);
    const key = `${dept.code}${year}`;
    const n = (decisionNumbers.get(key) ?? dice.int(3, 20)) + dice.int(1, 6);
    decisionNumbers.set(key, n);
    const docNo = `${dept.decisionPrefix}〔${year}〕${n}号`;
    const r = dice.float();
    if (r < 0.25) return `${docNo}：首违不罚，责令改正`;
    if (r < 0.45) return `${docNo}：警告，责令改正`;
    return `${docNo}：罚款人民币${dice.pick([500, 1000, 2000, 3000, 5000, 10000, 20000])}元，责令改正`;
  };
  const addViolation = (uscc: string, occurredOn: string, violationType: string, decision: string): boolean => {
    const key = `${uscc}|${occurredOn}|${violationType}`;
    if (violationKeys.has(key)) return false;
    violationKeys.add(key);
    violations.push({ uscc, occurredOn, violationType, decision });
    return true;
  };

  const officersOf = (dept: string, matter: string, on: string) => {
    const all = inspectors.filter((i) => i.officer && i.patch.department === dept);
    const fit = all.filter(
      (i) => i.patch.qualifications.includes(matter) && (i.patch.validFrom ?? '') <= on && on <= (i.patch.validTo ?? '9999'),
    );
    return fit.length >= 2 ? fit : all;
  };

  for (const year of [2024, 2025, 2026]) {
    for (const dept of DEPARTMENTS) {
      const matters = MATTERS.filter((m) => m.patch.department === dept.code);
      const byCode = (code: string) => matters.find((m) => m.patch.code === code)!;
      // The market bureau's yearly plan: disclosures, catering, special equipment, then two of the rest.
      const plan =
        dept.code === 'SCJG'
          ? [byCode('SCJG-01'), byCode('SCJG-02'), byCode('SCJG-03'), byCode(dice.pick(['SCJG-04', 'SCJG-06'])), byCode(dice.pick(['SCJG-05', 'SCJG-07']))]
          : [dice.pick(matters), dice.pick(matters)];
      for (let n = 1; n <= plan.length; n++) {
        const matter = plan[n - 1];
        const start = `${year}-${String(1 + n * 2 - (plan.length > 4 ? 1 : 0)).padStart(2, '0')}-${String(dice.int(1, 20)).padStart(2, '0')}`;
        const end = minDate(addDays(start, 45), '2026-10-31');
        const pool = objects.filter((o) => o.registrationStatus === 'active' && o.registeredOn < start && matter.eligible(o));
        const size = Math.max(3, Math.min(60, Math.round(pool.length * matter.rate)));
        const taskRef = `${dept.name}${year}年度第${n}号抽查任务`;
        for (const o of dice.sample(pool, size)) {
          const inspectedOn = dice.date(start, end);
          const key = `${o.uscc}|${inspectedOn}|${dept.code}`;
          if (inspectionKeys.has(key)) continue;
          inspectionKeys.add(key);
          const team = dice.sample(officersOf(dept.code, matter.patch.code, inspectedOn), dice.chance(0.1) ? 3 : 2);
          const officers = team.map((i) => i.patch.certificateNo);
          const r = dice.float();
          // Riskier entities are likelier to show problems.
          const problemRate = { A: 0.05, B: 0.1, C: 0.2, D: 0.35 }[o.creditGrade ?? 'B'];
          let resultCodes: string[];
          if (r < problemRate) resultCodes = dice.pick(matter.problems);
          else if (r < problemRate + 0.06) resultCodes = ['E'];
          else if (r < problemRate + 0.1) resultCodes = ['F'];
          else if (r < problemRate + 0.115) resultCodes = ['7'];
          else if (r < problemRate + 0.118) resultCodes = ['8'];
          else resultCodes = ['1'];
          inspections.push({ uscc: o.uscc, inspectedOn, department: dept.code, officers, resultCodes, taskRef });

          if (resultCodes.includes('6') || resultCodes.includes('C')) {
            // Unreachable at the registered address or false disclosure: listed within 10 working days.
            if (!abnormal.has(o.uscc)) {
              abnormal.set(o.uscc, {
                uscc: o.uscc,
                listedOn: minDate(addDays(inspectedOn, dice.int(5, 13)), DEMO_AS_OF),
                reason: resultCodes.includes('6') ? UNREACHABLE_REASON : FALSE_DISCLOSURE_REASON,
              });
            }
          }
          if (resultCodes[0] === 'A' && !resultCodes.includes('6')) {
            const decision = decide(dept, inspectedOn);
            if (addViolation(o.uscc, inspectedOn, dice.pick(matter.violationTypes), decision)) {
              cases.push({ uscc: o.uscc, officers, decision });
            }
          } else if (resultCodes[0] === 'E' && dice.chance(0.4)) {
            // Ordered to correct on the spot and did: recorded for the two-year first-violation rule.
            addViolation(o.uscc, inspectedOn, dice.pick(matter.violationTypes), `${dept.orderPrefix}〔${year}〕${dice.int(10, 400)}号：责令改正，当场改正`);
          }
        }
      }
    }
  }

  // Violations found outside random checks (complaints, reports), over the two-year window.
  const complaintMatters = MATTERS.filter((m) => ['SCJG-02', 'SCJG-05', 'SCJG-06'].includes(m.patch.code));
  const scjg = DEPARTMENTS[0];
  for (let k = 0; k < 30; k++) {
    const matter = dice.pick(complaintMatters);
    const o = dice.pick(objects.filter((x) => x.registrationStatus === 'active' && matter.eligible(x)));
    const on = dice.date(maxDate('2023-06-01', addDays(o.registeredOn, 30)), '2026-11-15');
    addViolation(o.uscc, on, dice.pick(matter.violationTypes), decide(scjg, on));
  }

  // Annual reports not filed by 30 June: listed in early July.
  const late = objects.filter(
    (o) => (o.entityType === 'enterprise' || o.entityType === 'cooperative') && o.registrationStatus === 'active' && !abnormal.has(o.uscc),
  );
  const lateWeights = late.map((o) => [o, { A: 0.2, B: 1, C: 5, D: 12 }[o.creditGrade ?? 'B']] as const);
  let added = 0;
  while (added < 30) {
    const o = dice.weighted(lateWeights);
    const year = dice.pick(['2024', '2025', '2026']);
    if (abnormal.has(o.uscc) || o.registeredOn >= `${Number(year) - 1}-01-01`) continue;
    abnormal.set(o.uscc, { uscc: o.uscc, listedOn: `${year}-07-${String(dice.int(1, 10)).padStart(2, '0')}`, reason: ANNUAL_REPORT_REASON });
    added++;
  }

  return { inspections, violations, abnormalListings: [...abnormal.values()], cases };
}

function makeConflicts(dice: Dice, objects: DemoObject[], inspectors: DemoInspector[], cases: HistoryOut['cases']): ConflictRecord[] {
  const out: ConflictRecord[] = [];
  const keys = new Set<string>();
  const add = (certificateNo: string, uscc: string, reason: string) => {
    const key = `${certificateNo}|${uscc}`;
    if (keys.has(key)) return;
    keys.add(key);
    out.push({ certificateNo, uscc, reason, declaredOn: dice.date('2025-01-01', DEMO_AS_OF) });
  };
  const active = objects.filter((o) => o.registrationStatus === 'active');
  const officers = inspectors.filter((i) => i.officer && i.patch.status === 'active');
  const scjgOfficers = officers.filter((i) => i.patch.department === 'SCJG');
  for (const relative of ['配偶系该主体投资人', '兄弟系该主体经营者', '父亲系该主体法定代表人']) {
    add(dice.pick(scjgOfficers).patch.certificateNo, dice.pick(active).uscc, `亲属关系：${relative}`);
  }
  const enterprises = active.filter((o) => o.entityType === 'enterprise' && o.registeredOn < '2012-01-01');
  for (let k = 0; k < 2; k++) {
    const from = dice.int(2008, 2015);
    add(dice.pick(officers).patch.certificateNo, dice.pick(enterprises).uscc, `曾在该企业任职（${from}—${from + dice.int(1, 4)}年）`);
  }
  for (const c of dice.sample(cases, 3)) {
    const docNo = c.decision.slice(0, c.decision.indexOf('：'));
    add(dice.pick(c.officers), c.uscc, `曾办理该企业案件（${docNo}）`);
  }
  return out;
}

// ---------------------------------------------------------------------------- the registry

/**
 * The whole demo registry, built from `words` (data/demo/words.json, see src/demo/loadWords.ts);
 * the same word lists and seed always give the same registry.
 */
export function generateDemoRegistry(words: DemoWords, seedHex: string = DEMO_SEED_HEX): DemoRegistry {
  const dice = new Dice(seedHex);
  const factory = new ObjectFactory(dice, words);

  const counts: [EntityType, number][] = [
    ['enterprise', Math.round(DEMO_OBJECT_COUNT * 0.55)],
    ['individual', Math.round(DEMO_OBJECT_COUNT * 0.4)],
    ['cooperative', 12],
  ];
  counts.push(['other', DEMO_OBJECT_COUNT - counts.reduce((s, [, n]) => s + n, 0)]);
  // Interleave the kinds so that the order of the list says nothing about the kind.
  const kinds: EntityType[] = counts.flatMap(([t, n]) => Array<EntityType>(n).fill(t));
  const objects = dice.sample(kinds, kinds.length).map((t) => factory.make(t));

  const inspectors = makeInspectors(dice, factory);
  const history = makeHistory(dice, objects, inspectors);
  const conflicts = makeConflicts(dice, objects, inspectors, history.cases);

  return {
    departments: DEPARTMENTS.map((d) => ({ code: d.code, name: d.name })),
    matters: MATTERS.map((m) => ({ ...m.patch, entityTypes: [...(m.patch.entityTypes ?? [])] })),
    objects: objects.map(toPatch),
    inspectors: inspectors.map((i) => ({ ...i.patch })),
    conflicts,
    inspections: history.inspections,
    violations: history.violations,
    abnormalListings: history.abnormalListings,
  };
}
