// Many residents asking at once: `workers` concurrent loops of POST /api/ask over a pool of user
// ids, each question unique so the log can be checked question by question.
export interface Ack {
  question: string;
  user: string;
  /** Date.now() when the whole response had arrived. */
  at: number;
  status: number;
  body: { reply?: string; intent?: string };
}

export interface Load {
  acks: Ack[];
  /** Requests that failed, with Date.now() of the failure: a live server has none. */
  errors: Array<{ at: number; error: unknown }>;
  stop(): Promise<void>;
}

const QUESTIONS = ['2019年行政处罚有多少件', '那2020年呢', '怎么申请政府信息公开', '申请后多久答复', '2019年收到多少申请', '比上年呢', '政务服务中心电话是多少'];

export function startLoad(url: string, tag: string, { workers = 24, users = 120 } = {}): Load {
  const acks: Ack[] = [];
  const errors: Load['errors'] = [];
  let stopped = false;
  let seq = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const n = seq++;
      const user = `load-${tag}-${n % users}`;
      const question = `${QUESTIONS[n % QUESTIONS.length]} #${tag}-${n}`;
      try {
        const res = await fetch(`${url}/api/ask`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ question, user }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json()) as Ack['body'];
        acks.push({ question, user, at: Date.now(), status: res.status, body });
      } catch (error) {
        errors.push({ at: Date.now(), error });
        return; // the server is gone (killed): this worker is done
      }
    }
  };
  const running = Array.from({ length: workers }, () => loop());
  return {
    acks,
    errors,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}
