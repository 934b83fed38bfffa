//! Open vocabularies (values SHOULD come from them: a warning otherwise) and enumerations
//! (values MUST come from them: an error otherwise), STIX 2.1 section 10.

pub const ATTACK_MOTIVATION: &[&str] = &[
    "accidental", "coercion", "dominance", "ideology", "notoriety", "organizational-gain", "personal-gain",
    "personal-satisfaction", "revenge", "unpredictable",
];
pub const ATTACK_RESOURCE_LEVEL: &[&str] = &["individual", "club", "contest", "team", "organization", "government"];
pub const GROUPING_CONTEXT: &[&str] = &["suspicious-activity", "malware-analysis", "unspecified"];
pub const IDENTITY_CLASS: &[&str] = &["individual", "group", "system", "organization", "class", "unknown"];
pub const IMPLEMENTATION_LANGUAGE: &[&str] = &[
    "applescript", "bash", "c", "c++", "c#", "go", "java", "javascript", "lua", "objective-c", "perl", "php",
    "powershell", "python", "ruby", "scala", "swift", "typescript", "visual-basic", "x86-32", "x86-64",
];
pub const INDICATOR_TYPE: &[&str] = &[
    "anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity", "attribution", "unknown",
];
pub const INDUSTRY_SECTOR: &[&str] = &[
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications", "construction", "defense",
    "education", "energy", "entertainment", "financial-services", "government", "emergency-services",
    "government-local", "government-national", "government-public-services", "government-regional", "healthcare",
    "hospitality-leisure", "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing", "mining",
    "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications", "transportation", "utilities",
];
pub const INFRASTRUCTURE_TYPE: &[&str] = &[
    "amplification", "anonymization", "botnet", "command-and-control", "control-system", "exfiltration", "firewall",
    "hosting-malware", "hosting-target-lists", "phishing", "reconnaissance", "routers-switches", "staging",
    "workstation", "unknown",
];
pub const MALWARE_RESULT: &[&str] = &["malicious", "suspicious", "benign", "unknown"];
pub const MALWARE_CAPABILITIES: &[&str] = &[
    "accesses-remote-machines", "anti-debugging", "anti-disassembly", "anti-emulation", "anti-memory-forensics",
    "anti-sandbox", "anti-vm", "captures-input-peripherals", "captures-output-peripherals",
    "captures-system-state-data", "cleans-traces-of-infection", "commits-fraud", "communicates-with-c2",
    "compromises-data-availability", "compromises-data-integrity", "compromises-system-availability",
    "controls-local-machine", "degrades-security-software", "degrades-system-updates", "determines-c2-server",
    "emails-spam", "escalates-privileges", "evades-av", "exfiltrates-data", "fingerprints-host", "hides-artifacts",
    "hides-executing-code", "infects-files", "infects-remote-machines", "installs-other-components",
    "persists-after-system-reboot", "prevents-artifact-access", "prevents-artifact-deletion",
    "probes-network-environment", "self-modifies", "steals-authentication-credentials",
    "violates-system-operational-integrity",
];
pub const MALWARE_TYPE: &[&str] = &[
    "adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper", "exploit-kit", "keylogger", "ransomware",
    "remote-access-trojan", "resource-exploitation", "rogue-security-software", "rootkit", "screen-capture",
    "spyware", "trojan", "unknown", "virus", "webshell", "wiper", "worm",
];
/// STIX 2.0's malware-label-ov differs from 2.1's malware-type-ov.
pub const MALWARE_LABEL_20: &[&str] = &[
    "adware", "backdoor", "bot", "ddos", "dropper", "exploit-kit", "keylogger", "ransomware", "remote-access-trojan",
    "resource-exploitation", "rogue-security-software", "rootkit", "screen-capture", "spyware", "trojan", "virus",
    "worm",
];
pub const PATTERN_TYPE: &[&str] = &["stix", "pcre", "sigma", "snort", "suricata", "yara"];
pub const PROCESSOR_ARCHITECTURE: &[&str] = &["alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64"];
pub const REGION: &[&str] = &[
    "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa", "western-africa", "americas",
    "caribbean", "central-america", "latin-america-caribbean", "northern-america", "south-america", "asia",
    "central-asia", "eastern-asia", "southern-asia", "south-eastern-asia", "western-asia", "europe",
    "eastern-europe", "northern-europe", "southern-europe", "western-europe", "oceania", "antarctica",
    "australia-new-zealand", "melanesia", "micronesia", "polynesia",
];
pub const REPORT_TYPE: &[&str] = &[
    "attack-pattern", "campaign", "identity", "indicator", "intrusion-set", "malware", "observed-data",
    "threat-actor", "threat-report", "tool", "vulnerability",
];
pub const THREAT_ACTOR_TYPE: &[&str] = &[
    "activist", "competitor", "crime-syndicate", "criminal", "hacker", "insider-accidental", "insider-disgruntled",
    "nation-state", "sensationalist", "spy", "terrorist", "unknown",
];
pub const THREAT_ACTOR_ROLE: &[&str] = &[
    "agent", "director", "independent", "infrastructure-architect", "infrastructure-operator", "malware-author",
    "sponsor",
];
pub const THREAT_ACTOR_SOPHISTICATION: &[&str] =
    &["none", "minimal", "intermediate", "advanced", "expert", "innovator", "strategic"];
pub const TOOL_TYPE: &[&str] = &[
    "denial-of-service", "exploitation", "information-gathering", "network-capture", "credential-exploitation",
    "remote-access", "vulnerability-scanning", "unknown",
];
pub const HASHING_ALGORITHM: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"];
/// STIX 2.0's hash-algorithm-ov.
pub const HASHING_ALGORITHM_20: &[&str] = &[
    "MD5", "MD6", "RIPEMD-160", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA3-224", "SHA3-256",
    "SHA3-384", "SHA3-512", "ssdeep", "WHIRLPOOL",
];
pub const ACCOUNT_TYPE: &[&str] = &[
    "facebook", "ldap", "nis", "openid", "radius", "skype", "tacacs", "twitter", "unix", "windows-local",
    "windows-domain",
];
pub const OPINION: &[&str] = &["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"];
pub const EXTENSION_TYPE: &[&str] =
    &["new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"];
pub const ENCRYPTION_ALGORITHM: &[&str] = &["AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"];
pub const WINDOWS_REGISTRY_DATATYPE: &[&str] = &[
    "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
    "REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION",
    "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE",
];
/// Extensions the specification predefines for cyber-observables (section 6).
pub const PREDEFINED_SCO_EXTENSIONS: &[&str] = &[
    "archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext", "windows-pebinary-ext", "http-request-ext", "icmp-ext",
    "socket-ext", "tcp-ext", "windows-process-ext", "windows-service-ext", "unix-account-ext",
];

/// The expected length in hex digits of a hash value, for algorithms with a fixed length.
pub fn hash_hex_length(algorithm: &str) -> Option<usize> {
    match algorithm {
        "MD5" | "md5" => Some(32),
        "SHA-1" | "sha1" | "SHA1" | "sha-1" => Some(40),
        "SHA-224" | "SHA3-224" => Some(56),
        "SHA-256" | "sha256" | "SHA256" | "sha-256" | "SHA3-256" => Some(64),
        "SHA-384" | "SHA3-384" => Some(96),
        "SHA-512" | "sha512" | "SHA512" | "sha-512" | "SHA3-512" => Some(128),
        "RIPEMD-160" => Some(40),
        _ => None,
    }
}
