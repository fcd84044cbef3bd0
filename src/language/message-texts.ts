// What was worked out about the texts of the message being read, for the stages that look at the
// same text again. A long message is read whole, then question by question, and the stages around
// each reading cut the same pieces again ("应该怎么申请" by the aspect's reading of the asking
// pieces, then as a question of its own). Only within one message: the owner forgets everything
// when the next message is read, so no message is answered from what an earlier one left.

/** Texts kept at most, a message's pieces and the texts made from them. */
const TEXTS = 32;

export class MessageTexts<V> {
  private readonly kept = new Map<string, V>();
  private generation = -1;

  /** The value kept for `text` at this dictionary generation, or undefined. */
  get(text: string, generation: number): V | undefined {
    if (generation !== this.generation) return undefined;
    return this.kept.get(text);
  }

  set(text: string, generation: number, value: V): void {
    if (generation !== this.generation) {
      this.kept.clear();
      this.generation = generation;
    }
    if (this.kept.size >= TEXTS) this.kept.clear();
    this.kept.set(text, value);
  }

  /** A new message: nothing of the last one is kept. */
  forget(): void {
    this.kept.clear();
  }
}
