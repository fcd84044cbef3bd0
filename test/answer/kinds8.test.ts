// Our wordings of the reading and decline kinds of issue 10's round 8 (test/fixtures/eval/kinds8.jsonl,
// none of them a sentence the round tuned on), each conversation a test of its own: questions in
// English read through the lexicon's glossary (figures, contacts, deadlines, fees, who is in charge,
// an application never replied to, weekend hours, a follow-up), and English naming what no report
// holds (population, tourists) still declined; 县上一年 as the county and a year; applications
// carried over from a year as the next report's 上年结转 (a year not held still not answered); names
// no report gives (who was coerced, which firm was hired) declined, for figures and for the report's
// text; a rhetorical question (哄谁呢) not a question of its own; 总额 asked of a measure no report
// holds; 谁负总责; the report's part named by number; a count of one kind of licence inside 行政许可's
// total (not held: the total is not given in its place); the people trained asked "多少人参加…培训"
// answered by the training figure, never by a count of people of another table (main gave the
// applications table's 上年结转 row); 县里买东西 as 政府集中采购; "没听清楚 麻烦再说一次" the last
// answer again. Twenty of the twenty-five fail before this round; the other five guard precision.
import { kindsSuite } from './helpers/kinds.ts';

const engine = kindsSuite('kinds of round 8', 'test/fixtures/eval/kinds8.jsonl');
