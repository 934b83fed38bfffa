//! Word lists and STIX vocabularies the generator draws from. Only values from the STIX 2.1
//! open vocabularies (section 10) are used where a vocabulary exists, so the output draws no
//! vocabulary warnings.

pub const PROSE: &[&str] = &[
    "actor", "actors", "adversary", "access", "accounts", "activity", "administrator", "analysis", "archive",
    "attachment", "attacker", "attempts", "backdoor", "beacon", "binary", "botnet", "browser", "campaign",
    "channel", "cloud", "cluster", "code", "collection", "command", "commodity", "compromised", "configuration",
    "connection", "container", "control", "credential", "credentials", "data", "defenders", "delivery",
    "deployment", "detection", "document", "domain", "downloader", "dropper", "email", "employees",
    "encrypted", "endpoint", "environment", "espionage", "execution", "exfiltration", "exploit", "file",
    "files", "financial", "firewall", "first", "government", "group", "hosts", "identified", "implant",
    "infrastructure", "initial", "injection", "installer", "intrusion", "keylogger", "lateral", "legitimate",
    "loader", "macro", "malicious", "malware", "memory", "modules", "movement", "network", "observed",
    "obfuscated", "operators", "organizations", "payload", "persistence", "phishing", "platform", "PowerShell",
    "privilege", "process", "proxy", "ransomware", "registry", "remote", "researchers", "reported", "scheduled",
    "script", "sector", "server", "servers", "service", "services", "shell", "spearphishing", "staging",
    "stolen", "suspicious", "systems", "targeted", "targets", "task", "techniques", "telemetry", "tooling",
    "traffic", "trojan", "uses", "variant", "victims", "vulnerability", "web", "workstations", "the", "the",
    "the", "the", "a", "a", "an", "of", "of", "of", "to", "to", "in", "in", "and", "and", "and", "with",
    "from", "on", "by", "for", "was", "were", "is", "has", "have", "been", "after", "before", "during",
    "through", "against", "using", "via", "new", "several", "multiple", "recent", "known", "likely",
];

pub const ADJECTIVES: &[&str] = &[
    "Adept", "Amber", "Ancient", "Ashen", "Bitter", "Black", "Blue", "Bold", "Brazen", "Bronze", "Cobalt",
    "Copper", "Crimson", "Cunning", "Dark", "Distant", "Eager", "Emerald", "Fancy", "Fierce", "Frozen",
    "Gilded", "Golden", "Granite", "Grey", "Hidden", "Hollow", "Iron", "Ivory", "Jade", "Lucky", "Midnight",
    "Muddy", "Noble", "Obsidian", "Pale", "Patient", "Phantom", "Quiet", "Rapid", "Restless", "Ruby",
    "Rusty", "Sandy", "Scarlet", "Secret", "Shadow", "Silent", "Silver", "Slate", "Static", "Stone",
    "Storm", "Swift", "Tidal", "Twilight", "Velvet", "Venom", "Vivid", "Wicked",
];

pub const CREATURES: &[&str] = &[
    "Aquarius", "Aries", "Badger", "Bear", "Blizzard", "Bull", "Cancer", "Capricorn", "Chollima", "Cobra",
    "Condor", "Coyote", "Crane", "Dragon", "Eagle", "Falcon", "Fox", "Gemini", "Hawk", "Heron", "Hornet",
    "Jackal", "Kitten", "Leo", "Libra", "Lynx", "Mantis", "Marten", "Orca", "Owl", "Panda", "Panther",
    "Pisces", "Python", "Raven", "Sagittarius", "Scorpius", "Serpent", "Sleet", "Spider", "Taurus",
    "Tempest", "Tiger", "Typhoon", "Viper", "Virgo", "Walrus", "Wolf",
];

pub const SYLLABLES: &[&str] = &[
    "Ash", "Bad", "Black", "Bumble", "Cere", "Cobalt", "Cond", "Cyber", "Dark", "Derp", "Dri", "Emo",
    "Fin", "Gh0st", "Glup", "Gold", "Grim", "Hydra", "Ice", "Jinx", "Kraken", "Lazy", "Lumma", "Mirai",
    "Neo", "Night", "Nym", "Orbit", "Pika", "Plug", "Quas", "Rac", "Red", "Rhad", "Ryuk", "Sala", "Shadow",
    "Smoke", "Snake", "Sode", "Storm", "Sunny", "Tesla", "Trick", "Ursa", "Vida", "Warz", "Xeno", "Zeus",
    "Zloader",
];

pub const SUFFIXES: &[&str] = &[
    "Bot", "Cat", "Crypt", "Door", "Dropper", "Gate", "Grab", "Hook", "Kit", "Loader", "Lock", "Miner",
    "Pony", "RAT", "Rider", "Shell", "Spy", "Stealer", "Tick", "Worm", "bot", "doom", "x", "zilla",
];

pub const TOOLS: &[&str] = &[
    "AdFind", "BloodHound", "Cobalt Strike", "Empire", "Impacket", "Invoke-Obfuscation", "LaZagne", "Mimikatz",
    "Net", "Ngrok", "Nltest", "PsExec", "Rclone", "Responder", "Rubeus", "SharpHound", "Sliver", "Tor",
    "WinSCP", "AnyDesk", "PowerSploit", "ProcDump", "Chisel", "Plink", "Metasploit", "Nmap", "Masscan",
];

pub const TECHNIQUES: &[&str] = &[
    "Spearphishing Attachment", "Spearphishing Link", "Exploit Public-Facing Application", "Valid Accounts",
    "PowerShell", "Windows Command Shell", "Scheduled Task", "Registry Run Keys", "DLL Side-Loading",
    "Process Injection", "Obfuscated Files or Information", "Masquerading", "Credential Dumping",
    "LSASS Memory", "Brute Force", "Account Discovery", "System Network Configuration Discovery",
    "Remote Desktop Protocol", "SMB/Windows Admin Shares", "Data from Local System", "Archive Collected Data",
    "Web Protocols", "DNS", "Ingress Tool Transfer", "Exfiltration Over C2 Channel", "Data Encrypted for Impact",
    "Inhibit System Recovery", "Service Stop", "Supply Chain Compromise", "Drive-by Compromise",
    "External Remote Services", "Create Account", "Modify Authentication Process", "Kerberoasting",
    "Pass the Hash", "Screen Capture", "Keylogging", "Proxy", "Domain Fronting", "Resource Hijacking",
];

pub const ORGANISATIONS: &[&str] = &[
    "Acme", "Aurora", "Bluewater", "Cascade", "Contoso", "Evergreen", "Fabrikam", "Globex", "Harbor",
    "Initech", "Keystone", "Lakeside", "Meridian", "Northwind", "Pinnacle", "Redwood", "Summit", "Tailspin",
    "Umbrella", "Vertex", "Wingtip", "Woodgrove",
];

pub const ORGANISATION_KINDS: &[&str] = &[
    "Bank", "Energy", "Health", "Telecom", "Logistics", "University", "Ministry", "Airlines", "Insurance",
    "Manufacturing", "Retail Group", "Water Authority", "Systems", "Labs",
];

pub const AUTHOR_KINDS: &[&str] = &["CERT", "Threat Intelligence", "SOC", "Security Research", "ISAC"];

pub const TLDS: &[&str] = &["com", "net", "org", "info", "biz", "ru", "top", "xyz", "io", "cc"];

pub const PATHS: &[&str] = &[
    "admin", "api", "cdn", "download", "files", "gate", "images", "invoice", "login", "panel", "static",
    "update", "upload", "wp-content", "wp-includes",
];

pub const FILE_NAMES: &[&str] = &[
    "invoice", "update", "setup", "report", "scan", "payment", "document", "order", "svchost", "chrome_update",
    "msupdate", "install", "payload", "agent", "loader", "readme", "statement", "contract", "resume", "shipping",
];

pub const EXTENSIONS: &[&str] = &["exe", "dll", "js", "vbs", "ps1", "docm", "xlsm", "lnk", "zip", "iso", "hta"];

pub const MITRE_TACTICS: &[&str] = &[
    "reconnaissance", "resource-development", "initial-access", "execution", "persistence",
    "privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
    "collection", "command-and-control", "exfiltration", "impact",
];

pub const KILL_CHAIN: &[&str] = &[
    "reconnaissance", "weaponization", "delivery", "exploitation", "installation", "command-and-control",
    "actions-on-objectives",
];

pub const LABELS: &[&str] =
    &["apt", "c2", "commodity", "crimeware", "espionage", "financially-motivated", "phishing", "ransomware"];

pub const INDICATOR_TYPES: &[&str] = &["malicious-activity", "anomalous-activity", "attribution", "compromised"];
pub const MALWARE_TYPES: &[&str] = &[
    "backdoor", "bot", "downloader", "dropper", "keylogger", "ransomware", "remote-access-trojan", "rootkit",
    "spyware", "trojan", "webshell", "wiper", "worm",
];
pub const MALWARE_CAPABILITIES: &[&str] = &[
    "accesses-remote-machines", "captures-input-peripherals", "communicates-with-c2", "compromises-data-integrity",
    "evades-av", "exfiltrates-data", "persists-after-system-reboot", "steals-authentication-credentials",
];
pub const TOOL_TYPES: &[&str] = &[
    "credential-exploitation", "exploitation", "information-gathering", "network-capture", "remote-access",
    "vulnerability-scanning",
];
pub const THREAT_ACTOR_TYPES: &[&str] =
    &["activist", "crime-syndicate", "criminal", "hacker", "nation-state", "spy", "insider-disgruntled"];
pub const THREAT_ACTOR_ROLES: &[&str] = &["agent", "director", "infrastructure-operator", "malware-author", "sponsor"];
pub const SOPHISTICATION: &[&str] = &["minimal", "intermediate", "advanced", "expert", "innovator", "strategic"];
pub const RESOURCE_LEVELS: &[&str] = &["individual", "club", "team", "organization", "government"];
pub const MOTIVATIONS: &[&str] =
    &["ideology", "notoriety", "organizational-gain", "personal-gain", "dominance", "revenge", "coercion"];
pub const REPORT_TYPES: &[&str] =
    &["threat-report", "campaign", "malware", "intrusion-set", "threat-actor", "indicator", "vulnerability"];
pub const SECTORS: &[&str] = &[
    "aerospace", "defense", "education", "energy", "financial-services", "government-national", "healthcare",
    "manufacturing", "pharmaceuticals", "retail", "technology", "telecommunications", "transportation", "utilities",
];
pub const GOALS: &[&str] = &[
    "steal intellectual property", "gain access to financial systems", "collect diplomatic intelligence",
    "disrupt critical infrastructure", "extort victims", "monitor dissidents",
];
pub const OBJECTIVES: &[&str] = &[
    "Steal credentials from employees of targeted organizations.",
    "Deploy ransomware across the victim's network.",
    "Collect documents on regional energy policy.",
    "Establish long-term access to telecommunications providers.",
];
