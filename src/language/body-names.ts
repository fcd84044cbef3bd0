/**
 * The names residents use for a body: "某某县人民政府", "某某县", "某某". Asking "某某县马铃薯补贴"
 * at that county's bot says no more than "马铃薯补贴", so matching and grouping both drop them.
 */
export function bodyNames(bodies: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const body of bodies) {
    const full = body.normalize('NFKC').replace(/\s+/g, '');
    const place = full.replace(/(人民政府|政府)$/, '');
    const bare = place.replace(/(自治县|自治州|自治区|省|市|县|区|州|旗|乡|镇)$/, '');
    for (const name of [full, place, bare]) if ([...name].length >= 2) names.add(name);
  }
  return [...names];
}
