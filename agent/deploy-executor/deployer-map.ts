/** URI → deployer, pure: the longest configured prefix that the URI starts with. */
export function deployerFor<T>(deployers: Readonly<Record<string, T>>, uri: string): T | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(deployers))
    if (uri.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  return best === undefined ? undefined : deployers[best];
}
