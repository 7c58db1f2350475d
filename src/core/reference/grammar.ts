/**
 * The distribution reference grammar, assembled from named pieces (distribution/reference `regexp.go`,
 * https://github.com/distribution/reference/blob/main/regexp.go). These are the only image-reference regexes in
 * the project: everything else calls parseReference().
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | '[' IPv6address ']'
 *   remote-name      := path-component ['/' path-component]*
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex        algorithm := component [ [+._-] component ]*
 */

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
// distribution accepts any run of hex digits and colons in brackets; so do we (no zone IDs).
const ipv6Address = '\\[[a-fA-F0-9:]+\\]';
const host = `(?:${domainName}|${ipv6Address})`;
const portNumber = '[0-9]+';
const domainAndPort = `${host}(?::${portNumber})?`;
const tagChars = '[\\w][\\w.-]*';
const algorithmComponent = '[A-Za-z][A-Za-z0-9]*';
// distribution writes the separator class as [+.-_], which Go reads as a range from '.' to '_'; we mean the
// four characters.
const algorithm = `${algorithmComponent}(?:[+._-]${algorithmComponent})*`;
const digestHex = '[0-9a-fA-F]{32,}';

const anchored = (source: string) => new RegExp(`^${source}$`);

export const PATH_COMPONENT = anchored(pathComponent);
export const DOMAIN_AND_PORT = anchored(domainAndPort);
export const TAG = anchored(tagChars);
export const DIGEST = anchored(`(${algorithm}):(${digestHex})`);
/** A bare image ID: 64 lower-case hex characters. */
export const IDENTIFIER = /^[a-f0-9]{64}$/;

/** Grammar limits (distribution: RepositoryNameTotalLengthMax, on the repository path alone; the tag pattern's {0,127}). */
export const NAME_TOTAL_LENGTH_MAX = 255;
export const TAG_LENGTH_MAX = 128;

/** Digest algorithms we can verify, with the hex length each one requires (go-digest's Validate). */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
export const LOWER_HEX = /^[a-f0-9]+$/;
