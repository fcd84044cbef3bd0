import { normalise, optionNumber, yearsIn, type RelativeYear } from '../language/normalise.ts';
import type { Tokenizer } from '../language/tokenizer.ts';

export type Social = 'greeting' | 'thanks' | 'help' | 'useful' | 'useless' | 'detail' | 'empty';

/** What a question asks, before anything is looked up. */
export interface Understanding {
  /** The normalised question. */
  text: string;
  relative: RelativeYear[];
  years: number[];
  /** "比上年呢" asks for the change against the previous year; two years ask for their difference. */
  compare: 'previous' | 'between' | null;
  /** A numbered option picked after "您是不是想问". */
  option: number | null;
  social: Social | null;
  cues: { quantity: boolean; procedure: boolean; contact: boolean; narrative: boolean };
  /** Content terms, synonyms applied. */
  terms: string[];
  /** Raw jieba tokens, for typo correction. */
  tokens: string[];
}

const GREETING = /^(你好|您好|嗨|哈喽|哈啰|hi|hello|hey|在吗|在不在|有人吗|早上好|上午好|中午好|下午好|晚上好|早安|晚安)+(啊|呀|呢)?$/i;
const THANKS = /^(谢谢|感谢|多谢|谢了|辛苦了|thank|thanks|好的谢谢|好的|知道了|明白了|收到)+(你|您|啦|了)*$/i;
const HELP = /^(帮助|help|菜单|功能|你能做什么|你会什么|你能干什么|能问什么|可以问什么|问什么|怎么用|使用说明|说明|\?)$/i;
const USEFUL = /^(有用|有帮助|很有用|挺有用|满意|👍)$/;
const USELESS = /^(没用|没有用|无用|没帮助|没有帮助|不满意|👎)$/;
const DETAIL = /^(详细|更多|详情|展开|查看更多|详细信息|详细内容|全文|详细点|说详细点|具体点)$/;

const COMPARE_PREVIOUS = /比(上一?年度?|去年|前一年|往年)|同比|较上年|与上年|和上年|跟上年|增加还是减少|减少还是增加|增加了还是减少|多了还是少了|增减|变化|涨了|降了|增长|下降|上升/;
const COMPARE_BETWEEN = /比|相比|对比|差|多了|少了|变化|增加|减少/;
const QUANTITY = /多少|几[个件次项条家人]?|有人|有没有人|有无|数量|数字|总数|有没有|统计|多大|金额|件数|人次|次数|数目|计数/;
const NOT_COUNTS = /多少天|多少个?工作日|多久|多长时间|几天|几个?工作日|多少钱|几个月/g;
const PROCEDURE = /怎么|怎样|如何|哪些|什么|吗$|可以|能不能|能否|需要|要不要|流程|步骤|办法|条件|手续|规定|期限|多久|多长时间/;
const CONTACT = /电话|地址|网址|官网|链接|联系|在哪|哪里|邮箱|邮件|传真|办公时间|上班时间|几点|窗口|怎么走/;
const NARRATIVE = /问题|不足|改进|下一步|措施|做法|举措|打算|计划|工作|组长|领导小组|负责/;

export function understand(input: string, tok: Tokenizer, today: Date = new Date()): Understanding {
  const { text, relative } = normalise(input.slice(0, 500), today);
  const bare = text.replace(/[\p{P}\p{S}]+$/u, '');
  const social: Social | null = !bare
    ? 'empty'
    : GREETING.test(bare)
      ? 'greeting'
      : THANKS.test(bare)
        ? 'thanks'
        : HELP.test(bare)
          ? 'help'
          : USEFUL.test(bare)
            ? 'useful'
            : USELESS.test(bare)
              ? 'useless'
              : DETAIL.test(bare)
                ? 'detail'
                : null;
  const years = yearsIn(text);
  const compare = COMPARE_PREVIOUS.test(text) ? 'previous' : years.length >= 2 && COMPARE_BETWEEN.test(text) ? 'between' : null;
  // Years and the comparison phrase are slots, not words to match.
  const content = text.replace(/(?<!\d)\d{4}年?/g, ' ').replace(COMPARE_PREVIOUS, ' ');
  const tokens = tok.cut(content);
  return {
    text,
    relative,
    years,
    compare,
    option: optionNumber(bare),
    social,
    cues: {
      // "多少天" asks for a time limit, "多少钱" for a fee, "电话是多少" for a contact: not a count.
      quantity: QUANTITY.test(text.replace(NOT_COUNTS, '')) && !CONTACT.test(text),
      procedure: PROCEDURE.test(text),
      contact: CONTACT.test(text),
      narrative: NARRATIVE.test(text),
    },
    terms: tok.collect(tokens, content),
    tokens,
  };
}
