// A config file's text for the CLI and the loader, decoded as the editor decodes it (UTF-8 or UTF-16,
// odd bytes kept for the YAML diagnostics to point at), and never more of it than the config
// language's length limit needs to refuse it.
import { YAML_LIMITS } from '../../common/config/boundedYaml';
import { readTextHead } from '../../common/data/textFile';
import { fileErrorReason } from '../io/fileErrors';

/** At most 4 bytes a character: more than any config within the limit holds. */
const MAX_CONFIG_BYTES = 4 * YAML_LIMITS.maxLength + 4;

export type ConfigText = { text: string } | { problem: string };

export async function readConfigText(file: string): Promise<ConfigText> {
  try {
    return { text: await readTextHead(file, MAX_CONFIG_BYTES, { checked: false }) };
  } catch (error) {
    const reason = fileErrorReason(error);
    if (reason !== undefined) return { problem: reason };
    throw error;
  }
}
