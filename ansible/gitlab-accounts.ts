/**
 * Who gets what in GitLab, from users.yaml and the tariffs: every user an account named after
 * them with their users.yaml key; the users whose tariff or packs include `gitlab-group` are
 * members of the shared group, those whose include `gitlab-ci` own a subgroup of the CI group
 * (whose group runners are the ci-runner nodes). The services role applies it idempotently
 * (community.general's GitLab modules), removing memberships nobody sells any more.
 */
import { createHash } from "node:crypto";
import type { Config } from "../model/load";
import { GITLAB_CI_OFFER, GITLAB_GROUP_OFFER } from "../model/rules";

export interface GitlabAccount {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly ssh_key: string;
  /** "aiwc <fingerprint prefix>": a new key gets a new title, so a rotated key replaces the old one. */
  readonly ssh_key_title: string;
}

export interface GitlabAccess {
  readonly accounts: readonly GitlabAccount[];
  /** Members of the shared group (gitlab-group). */
  readonly team: readonly string[];
  /** Owners of their own subgroup of the CI group (gitlab-ci). */
  readonly ci: readonly string[];
}


/** Whether a user's tariff or one of their packs includes `offer`. */
function sells(config: Config, user: Config["users"][number], offer: string): boolean {
  const tariff = config.tariffs.tariffs[user.tariff];
  if (tariff?.includes.includes(offer) === true) return true;
  return user.packs.some((pack) => config.tariffs.packs[pack]?.includes.includes(offer) === true);
}

export function gitlabAccess(config: Config, domain: string): GitlabAccess {
  const users = [...config.users].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    accounts: users.map((user) => {
      const key = user.sshKey.trim();
      const fingerprint = createHash("sha256").update(key.split(/\s+/).slice(0, 2).join(" ")).digest("hex").slice(0, 16);
      return {
        username: user.name,
        name: user.name,
        // GitLab needs an address; a user without one (users.yaml `email`) gets a no-reply
        // address of the platform. Billing details never go to GitLab.
        email: user.email ?? `${user.name}@users.noreply.${domain}`,
        ssh_key: key,
        ssh_key_title: `aiwc ${fingerprint}`,
      };
    }),
    team: users.filter((u) => sells(config, u, GITLAB_GROUP_OFFER)).map((u) => u.name),
    ci: users.filter((u) => sells(config, u, GITLAB_CI_OFFER)).map((u) => u.name),
  };
}
