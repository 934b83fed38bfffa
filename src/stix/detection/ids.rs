//! Snort and Suricata rules: a strict reader of one rule's header and options. A published rule
//! is exactly one `alert` rule (a `pass`, `drop` or `reject` rule, or a second rule, would change
//! what every consumer's IDS lets through), with a `sid`, and only options its engine documents.
//!
//! Option values follow Suricata's rule language, the stricter of the two: a value ends at the
//! first `;` not escaped by `\`, quoted or not (`;`, `"` and `\` are escaped inside a value).

use super::{Engine, Problem};

/// One rule, as an indicator carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdsRule {
    pub sid: u64,
}

/// The sids stixpress gives the rules it writes itself (`feeds/suricata/datasets.rules`): a
/// contributed rule may not use them, so the two never clash in one engine.
pub const RESERVED_SIDS: std::ops::RangeInclusive<u64> = 3_999_000_000..=3_999_000_999;

/// Rule options both Snort (2.9 and 3) and Suricata (7) document.
const COMMON: &[&str] = &[
    "msg",
    "sid",
    "rev",
    "gid",
    "classtype",
    "reference",
    "priority",
    "metadata",
    "content",
    "nocase",
    "depth",
    "offset",
    "distance",
    "within",
    "rawbytes",
    "isdataat",
    "dsize",
    "byte_test",
    "byte_jump",
    "byte_extract",
    "byte_math",
    "pcre",
    "fast_pattern",
    "flow",
    "flowbits",
    "ttl",
    "tos",
    "id",
    "ipopts",
    "fragbits",
    "fragoffset",
    "ip_proto",
    "sameip",
    "flags",
    "seq",
    "ack",
    "window",
    "itype",
    "icode",
    "icmp_id",
    "icmp_seq",
    "rpc",
    "stream_size",
    "threshold",
    "detection_filter",
    "tag",
    "base64_decode",
    "base64_data",
    "pkt_data",
    "file_data",
    "http_uri",
    "http_raw_uri",
    "http_method",
    "http_header",
    "http_raw_header",
    "http_cookie",
    "http_client_body",
    "http_stat_code",
    "http_stat_msg",
    "urilen",
    "ssl_version",
    "ssl_state",
    "replace",
    "asn1",
    "dce_iface",
    "dce_opnum",
    "dce_stub_data",
    "ftpbounce",
    "dnp3_func",
    "dnp3_ind",
    "dnp3_obj",
    "dnp3_data",
    "cip_service",
    "enip_command",
];

/// Options only Suricata 7 documents (`suricata --list-keywords`, and the aliases it takes,
/// as Suricata 7.0.10 accepts them).
const SURICATA: &[&str] = &[
    "app-layer-event",
    "app-layer-protocol",
    "bsize",
    "bypass",
    "compress_whitespace",
    "config",
    "datarep",
    "dataset",
    "dcerpc.iface",
    "dcerpc.opnum",
    "dcerpc.stub_data",
    "decode-event",
    "dhcp.leasetime",
    "dhcp.rebinding_time",
    "dhcp.renewal_time",
    "dnp3.data",
    "dnp3.func",
    "dnp3.ind",
    "dnp3.obj",
    "dns.opcode",
    "dns.query",
    "dns_query",
    "dotprefix",
    "endswith",
    "engine-event",
    "file.data",
    "file.magic",
    "file.name",
    "fileext",
    "filemagic",
    "filemd5",
    "filename",
    "filesha1",
    "filesha256",
    "filesize",
    "filestore",
    "flow.age",
    "flowint",
    "flowvar",
    "frame",
    "ftpdata_command",
    "geoip",
    "header_lowercase",
    "hostbits",
    "http.accept",
    "http.accept_enc",
    "http.accept_lang",
    "http.connection",
    "http.content_len",
    "http.content_type",
    "http.cookie",
    "http.header",
    "http.header.raw",
    "http.header_names",
    "http.host",
    "http.host.raw",
    "http.location",
    "http.method",
    "http.protocol",
    "http.referer",
    "http.request_body",
    "http.request_header",
    "http.request_line",
    "http.response_body",
    "http.response_header",
    "http.response_line",
    "http.server",
    "http.start",
    "http.stat_code",
    "http.stat_msg",
    "http.uri",
    "http.uri.raw",
    "http.user_agent",
    "http2.errorcode",
    "http2.frametype",
    "http2.header_name",
    "http2.priority",
    "http2.settings",
    "http2.size_update",
    "http2.window",
    "http_accept",
    "http_accept_enc",
    "http_accept_lang",
    "http_connection",
    "http_content_len",
    "http_content_type",
    "http_header_names",
    "http_host",
    "http_protocol",
    "http_raw_host",
    "http_referer",
    "http_request_line",
    "http_response_line",
    "http_server_body",
    "http_start",
    "http_user_agent",
    "icmpv4-csum",
    "icmpv4.hdr",
    "icmpv6-csum",
    "icmpv6.hdr",
    "icmpv6.mtu",
    "ike.chosen_sa_attribute",
    "ike.exchtype",
    "ike.init_spi",
    "ike.key_exchange_payload",
    "ike.key_exchange_payload_length",
    "ike.nonce_payload",
    "ike.nonce_payload_length",
    "ike.resp_spi",
    "ike.vendor",
    "ip.dst",
    "ip.src",
    "iprep",
    "ipv4-csum",
    "ipv4.hdr",
    "ipv6.hdr",
    "ja3.hash",
    "ja3.string",
    "ja3_hash",
    "ja3_string",
    "ja3s.hash",
    "ja3s.string",
    "ja4.hash",
    "krb5.cname",
    "krb5.sname",
    "krb5.ticket_encryption",
    "krb5_cname",
    "krb5_err_code",
    "krb5_msg_type",
    "krb5_sname",
    "l3_proto",
    "lua",
    "luajit",
    "modbus",
    "mqtt.connack.session_present",
    "mqtt.connect.clientid",
    "mqtt.connect.flags",
    "mqtt.connect.password",
    "mqtt.connect.username",
    "mqtt.connect.willmessage",
    "mqtt.connect.willtopic",
    "mqtt.flags",
    "mqtt.protocol_version",
    "mqtt.publish.message",
    "mqtt.publish.topic",
    "mqtt.qos",
    "mqtt.reason_code",
    "mqtt.subscribe.topic",
    "mqtt.type",
    "mqtt.unsubscribe.topic",
    "nfs.version",
    "nfs_procedure",
    "noalert",
    "pcrexform",
    "pktvar",
    "prefilter",
    "quic.cyu.hash",
    "quic.cyu.string",
    "quic.sni",
    "quic.ua",
    "quic.version",
    "requires",
    "rfb.name",
    "rfb.secresult",
    "rfb.sectype",
    "sip.method",
    "sip.protocol",
    "sip.request_line",
    "sip.response_line",
    "sip.stat_code",
    "sip.stat_msg",
    "sip.uri",
    "smb.named_pipe",
    "smb.ntlmssp_domain",
    "smb.ntlmssp_user",
    "smb.share",
    "snmp.community",
    "snmp.pdu_type",
    "snmp.usm",
    "snmp.version",
    "ssh.hassh",
    "ssh.hassh.server",
    "ssh.hassh.server.string",
    "ssh.hassh.string",
    "ssh.proto",
    "ssh.protoversion",
    "ssh.software",
    "ssh.softwareversion",
    "ssh_proto",
    "ssh_software",
    "startswith",
    "stream-event",
    "strip_pseudo_headers",
    "strip_whitespace",
    "target",
    "tcp.ack",
    "tcp.flags",
    "tcp.hdr",
    "tcp.mss",
    "tcp.seq",
    "tcp.window",
    "tcpv4-csum",
    "tcpv6-csum",
    "template",
    "tls.cert_chain_len",
    "tls.cert_fingerprint",
    "tls.cert_issuer",
    "tls.cert_serial",
    "tls.cert_subject",
    "tls.certs",
    "tls.fingerprint",
    "tls.issuerdn",
    "tls.random",
    "tls.random_bytes",
    "tls.random_time",
    "tls.sni",
    "tls.store",
    "tls.subject",
    "tls.version",
    "tls_cert_expired",
    "tls_cert_fingerprint",
    "tls_cert_issuer",
    "tls_cert_notafter",
    "tls_cert_notbefore",
    "tls_cert_serial",
    "tls_cert_subject",
    "tls_cert_valid",
    "tls_sni",
    "tls_store",
    "to_lowercase",
    "to_md5",
    "to_sha1",
    "to_sha256",
    "to_uppercase",
    "udp.hdr",
    "udpv4-csum",
    "udpv6-csum",
    "url_decode",
    "xbits",
    "xor",
];

/// Options only Snort documents (2.9's manual and Snort 3's rule options).
const SNORT: &[&str] = &[
    "activated_by",
    "activates",
    "ber_data",
    "ber_skip",
    "bufferlen",
    "cip_attribute",
    "cip_class",
    "cip_conn_path_class",
    "cip_instance",
    "cip_status",
    "count",
    "cvs",
    "enip_req",
    "enip_rsp",
    "file_id",
    "file_type",
    "gtp_info",
    "gtp_type",
    "gtp_version",
    "hash",
    "http_header_test",
    "http_max_header_line",
    "http_max_trailer_line",
    "http_num_cookies",
    "http_num_headers",
    "http_num_trailers",
    "http_param",
    "http_raw_body",
    "http_raw_cookie",
    "http_raw_request",
    "http_raw_status",
    "http_raw_trailer",
    "http_trailer",
    "http_trailer_test",
    "http_true_ip",
    "http_version",
    "http_version_match",
    "iec104_apci_type",
    "iec104_asdu_func",
    "js_data",
    "length",
    "logto",
    "md5",
    "mms_data",
    "mms_func",
    "modbus_data",
    "modbus_func",
    "modbus_unit",
    "pkt_num",
    "protected_content",
    "raw_data",
    "react",
    "regex",
    "rem",
    "resp",
    "s7commplus_content",
    "s7commplus_func",
    "s7commplus_opcode",
    "script_data",
    "sd_pattern",
    "service",
    "session",
    "sha256",
    "sha512",
    "sip_body",
    "sip_header",
    "sip_method",
    "sip_stat_code",
    "so",
    "soid",
    "stream_reassemble",
    "uricontent",
    "vba_data",
];

/// Actions a rule can take; only `alert` is published.
const ACTIONS: &[&str] = &[
    "alert",
    "pass",
    "drop",
    "reject",
    "rejectsrc",
    "rejectdst",
    "rejectboth",
    "sdrop",
    "log",
    "activate",
    "dynamic",
    "block",
    "rewrite",
];

/// Checks the pattern of one indicator: exactly one `alert` rule with a `sid`, and options the
/// engine documents.
pub fn check(text: &str, engine: Engine) -> Result<IdsRule, Problem> {
    let mut reader = Reader { text, at: 0 };
    reader.skip_space()?;
    if reader.rest().starts_with('#') {
        return Err(Problem::at(reader.at, "the pattern is a comment, not a rule"));
    }
    header(&mut reader, engine)?;
    let sid = options(&mut reader, engine)?;
    reader.skip_space()?;
    if reader.at < text.len() {
        let message = match reader.rest().starts_with('#') {
            true => "a comment after the rule (the pattern holds one rule and nothing else)",
            false => "text after the rule's closing `)`: a pattern holds exactly one rule",
        };
        return Err(Problem::at(reader.at, message));
    }
    Ok(IdsRule { sid })
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Reader<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    /// Skips spaces, tabs and line continuations (`\` at the end of a line); any other line
    /// break would start a second rule.
    fn skip_space(&mut self) -> Result<(), Problem> {
        loop {
            let rest = self.rest();
            if rest.starts_with([' ', '\t']) {
                self.at += 1;
            } else if rest.starts_with("\\\n") {
                self.at += 2;
            } else if rest.starts_with("\\\r\n") {
                self.at += 3;
            } else if rest.starts_with(['\n', '\r']) {
                let trailing = rest.trim().is_empty();
                if trailing {
                    self.at = self.text.len();
                    return Ok(());
                }
                return Err(Problem::at(self.at, "a line break inside the pattern starts a second rule (a pattern holds one rule; continue a line with `\\`)"));
            } else {
                return Ok(());
            }
        }
    }

    /// A header word: up to white space or `(`, with `[ … ]` lists kept whole.
    fn word(&mut self) -> (&'t str, usize) {
        let start = self.at;
        let mut depth = 0i32;
        for (i, c) in self.rest().char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                ' ' | '\t' | '\n' | '\r' | '(' if depth <= 0 => {
                    self.at = start + i;
                    return (&self.text[start..self.at], start);
                }
                _ => {}
            }
        }
        self.at = self.text.len();
        (&self.text[start..], start)
    }
}

fn header(reader: &mut Reader<'_>, engine: Engine) -> Result<(), Problem> {
    let mut words = Vec::new();
    while !reader.rest().starts_with('(') {
        if reader.at >= reader.text.len() {
            return Err(Problem::at(reader.at, "the rule has no options: `(msg:\"…\"; sid:N;)` is missing"));
        }
        words.push(reader.word());
        reader.skip_space()?;
    }
    let Some(&(action, at)) = words.first() else {
        return Err(Problem::at(reader.at, "the rule has no header (`alert tcp $HOME_NET any -> $EXTERNAL_NET any`)"));
    };
    if action != "alert" {
        let message = match ACTIONS.contains(&action) {
            true => format!("the action is `{action}`: only `alert` rules are published (any other action changes what a consumer's IDS lets through)"),
            false => format!("`{action}` is not a rule action; published rules start with `alert`"),
        };
        return Err(Problem::at(at, message));
    }
    // Snort 3 also takes service rules, `alert http (…)`, with no addresses.
    let short = engine == Engine::Snort && words.len() == 2;
    if words.len() != 7 && !short {
        let message =
            format!("the header has {} parts; it is `alert PROTOCOL SOURCE PORT -> DESTINATION PORT`", words.len());
        return Err(Problem::at(at, message));
    }
    let (protocol, at) = words[1];
    if protocol.is_empty() || !protocol.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(Problem::at(at, format!("`{protocol}` is not a protocol")));
    }
    if short {
        return Ok(());
    }
    let (direction, at) = words[4];
    if direction != "->" && direction != "<>" {
        return Err(Problem::at(at, format!("`{direction}` is not a direction (`->` or `<>`)")));
    }
    for &(word, at) in [words[2], words[3], words[5], words[6]].iter() {
        let allowed = |c: char| {
            c.is_ascii_alphanumeric() || matches!(c, '$' | '!' | '[' | ']' | ',' | '.' | ':' | '/' | '_' | '-' | ' ')
        };
        let depth = word.matches('[').count() as i64 - word.matches(']').count() as i64;
        if !word.chars().all(allowed) || depth != 0 {
            return Err(Problem::at(at, format!("`{word}` is not an address or port")));
        }
    }
    Ok(())
}

/// The options between `(` and `)`: each `keyword;` or `keyword:value;`. Returns the `sid`.
fn options(reader: &mut Reader<'_>, engine: Engine) -> Result<u64, Problem> {
    let open = reader.at;
    reader.at += 1;
    let mut sid = None;
    let mut content = ContentState::default();
    loop {
        reader.skip_space()?;
        let rest = reader.rest();
        if rest.starts_with(')') {
            reader.at += 1;
            break;
        }
        if rest.is_empty() {
            return Err(Problem::at(open, "the options' `(` is never closed by `)`"));
        }
        let start = reader.at;
        let length =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(rest.len());
        let keyword = &rest[..length];
        if keyword.is_empty() {
            let found: String = rest.chars().take(1).collect();
            return Err(Problem::at(start, format!("`{found}` where an option keyword was expected")));
        }
        if !documented(keyword, engine) {
            return Err(Problem::at(start, format!("`{keyword}` is not a rule option {} documents", engine.name())));
        }
        reader.at += length;
        reader.skip_space()?;
        let value = match reader.rest().chars().next() {
            Some(';') => None,
            Some(':') => {
                reader.at += 1;
                Some(value(reader, keyword)?)
            }
            _ => return Err(Problem::at(reader.at, format!("option `{keyword}` needs `;` (or `:value;`) after it"))),
        };
        reader.at += 1; // the `;`
        if keyword == "sid" {
            if sid.is_some() {
                return Err(Problem::at(start, "the rule gives `sid` twice"));
            }
            let number = number(value, start, "sid")?;
            if RESERVED_SIDS.contains(&number) {
                return Err(Problem::at(
                    start,
                    format!(
                        "sid {number} is in the range {}–{} that the feeds' own dataset rules use",
                        RESERVED_SIDS.start(),
                        RESERVED_SIDS.end()
                    ),
                ));
            }
            sid = Some(number);
        }
        if matches!(keyword, "rev" | "gid" | "priority") {
            number(value, start, keyword)?;
        }
        check_value(keyword, value, start, engine)?;
        content.modify(keyword, start)?;
    }
    sid.ok_or_else(|| Problem::at(open, "the rule has no `sid` (a number unique in the feed: sid:9000001;)"))
}

fn documented(keyword: &str, engine: Engine) -> bool {
    let own = if engine == Engine::Suricata { SURICATA } else { SNORT };
    COMMON.contains(&keyword) || own.contains(&keyword)
}

/// An option's value, up to the first `;` that `\` does not escape; its quotes must pair up.
fn value<'t>(reader: &mut Reader<'t>, keyword: &str) -> Result<(&'t str, usize), Problem> {
    let start = reader.at;
    let mut escaped = false;
    let mut quotes = 0;
    for (i, c) in reader.rest().char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quotes += 1,
            '\n' | '\r' => break,
            ';' => {
                reader.at = start + i;
                if quotes % 2 != 0 {
                    return Err(Problem::at(
                        start + i,
                        format!("the value of `{keyword}` ends at this `;` with a quote still open (escape `;` as `\\;` inside a text)"),
                    ));
                }
                return Ok((reader.text[start..reader.at].trim(), start));
            }
            _ => {}
        }
    }
    Err(Problem::at(start, format!("the value of option `{keyword}` is not ended by `;`")))
}

/// Suricata's default `classification.config` (Snort's default adds a few); an unknown
/// `classtype` makes the engine refuse the rule.
const CLASSTYPES: &[&str] = &[
    "not-suspicious",
    "unknown",
    "bad-unknown",
    "attempted-recon",
    "successful-recon-limited",
    "successful-recon-largescale",
    "attempted-dos",
    "successful-dos",
    "attempted-user",
    "unsuccessful-user",
    "successful-user",
    "attempted-admin",
    "successful-admin",
    "rpc-portmap-decode",
    "shellcode-detect",
    "string-detect",
    "suspicious-filename-detect",
    "suspicious-login",
    "system-call-detect",
    "tcp-connection",
    "trojan-activity",
    "unusual-client-port-connection",
    "network-scan",
    "denial-of-service",
    "non-standard-protocol",
    "protocol-command-decode",
    "web-application-activity",
    "web-application-attack",
    "misc-activity",
    "misc-attack",
    "icmp-event",
    "inappropriate-content",
    "policy-violation",
    "default-login-attempt",
    "targeted-activity",
    "exploit-kit",
    "external-ip-check",
    "domain-c2",
    "pup-activity",
    "credential-theft",
    "social-engineering",
    "coin-mining",
    "command-and-control",
];
const SNORT_CLASSTYPES: &[&str] = &["file-format", "malware-cnc", "client-side-exploit", "sdf"];

/// `flow:` takes a comma list of these.
const FLOW: &[&str] = &[
    "to_client",
    "to_server",
    "from_client",
    "from_server",
    "established",
    "not_established",
    "stateless",
    "only_stream",
    "no_stream",
    "only_frag",
    "no_frag",
];

/// Options that take no value: content modifiers and flags. (Sticky buffers, `http.uri` and the
/// like, take none either: every dotted keyword.)
const FLAGS: &[&str] = &[
    "nocase",
    "rawbytes",
    "startswith",
    "endswith",
    "noalert",
    "sameip",
    "ftpbounce",
    "pkt_data",
    "file_data",
    "base64_data",
    "dce_stub_data",
    "http_uri",
    "http_raw_uri",
    "http_method",
    "http_header",
    "http_raw_header",
    "http_cookie",
    "http_raw_cookie",
    "http_client_body",
    "http_server_body",
    "http_stat_code",
    "http_stat_msg",
    "http_user_agent",
    "http_host",
    "http_raw_host",
    "dns_query",
    "tls_sni",
    "tls_cert_subject",
    "tls_cert_issuer",
];

/// The values engines most often refuse a rule for, checked as they read them: quoted texts,
/// content with `|hex|`, `/regex/flags`, flow words, numbers, the classtype.
fn check_value(keyword: &str, value: Option<(&str, usize)>, at: usize, engine: Engine) -> Result<(), Problem> {
    let takes_none = FLAGS.contains(&keyword)
        || (keyword.contains('.') && engine == Engine::Suricata && !keyword.starts_with("flow."));
    if takes_none {
        if value.is_some() {
            return Err(Problem::at(at, format!("`{keyword}` takes no value: `{keyword};`")));
        }
        return Ok(());
    }
    let needs: &[&str] = &[
        "msg",
        "content",
        "pcre",
        "flow",
        "classtype",
        "reference",
        "depth",
        "offset",
        "distance",
        "within",
        "sid",
        "rev",
        "gid",
        "priority",
    ];
    let Some((text, value_at)) = value else {
        return match needs.contains(&keyword) {
            true => Err(Problem::at(at, format!("`{keyword}` needs a value: `{keyword}:…;`"))),
            false => Ok(()),
        };
    };
    let problem = match keyword {
        "msg" => quoted(text, false).map(|_| ()),
        "content" | "uricontent" => {
            quoted(text.strip_prefix('!').unwrap_or(text).trim_start(), false).and_then(hex_segments)
        }
        // A regex has escapes of its own (`\d`, `\/`).
        "pcre" => quoted(text.strip_prefix('!').unwrap_or(text).trim_start(), true).and_then(regex_literal),
        "flow" => text
            .split(',')
            .map(str::trim)
            .find(|word| !FLOW.contains(word))
            .map_or(Ok(()), |word| Err(format!("`{word}` is not a flow option ({})", FLOW.join(", ")))),
        "classtype" => {
            match CLASSTYPES.contains(&text) || (engine == Engine::Snort && SNORT_CLASSTYPES.contains(&text)) {
                true => Ok(()),
                false => Err(format!("`{text}` is not a classtype of the engine's default classification.config")),
            }
        }
        "depth" | "offset" | "distance" | "within" => {
            // Only `distance` may look back.
            let number = if keyword == "distance" { text.strip_prefix('-').unwrap_or(text) } else { text };
            let variable = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            match (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())) || variable {
                true => Ok(()),
                false => Err(format!("`{keyword}` takes a number (or a byte_extract variable)")),
            }
        }
        _ => Ok(()),
    };
    problem.map_err(|message| Problem::at(value_at, message))
}

/// The text between the quotes of `"…"`; unless `regex`, with only the escapes the rule
/// language knows.
fn quoted(text: &str, regex: bool) -> Result<&str, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .ok_or_else(|| "a quoted text is expected: \"…\"".to_owned())?;
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                if !matches!(c, '"' | ';' | '\\') && !regex {
                    return Err(format!("`\\{c}` is not an escape the rule language knows (only \\\" \\; \\\\)"));
                }
            }
            '\\' => escaped = true,
            '"' => return Err("a `\"` inside the text must be escaped as `\\\"`".into()),
            _ => {}
        }
    }
    Ok(inner)
}

/// `|4D 5A|` segments of a content: pairs of hex digits (spaces between), closed.
fn hex_segments(inner: &str) -> Result<(), String> {
    for (i, segment) in inner.split('|').enumerate() {
        if i % 2 == 1 {
            let digits: String = segment.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.is_empty() || !digits.len().is_multiple_of(2) || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("`|{segment}|` is not pairs of hex digits"));
            }
        }
    }
    match inner.matches('|').count() % 2 {
        0 => Ok(()),
        _ => Err("a `|hex|` segment is not closed".into()),
    }
}

/// `/regex/flags`.
fn regex_literal(inner: &str) -> Result<(), String> {
    let body = inner.strip_prefix('/').ok_or("pcre takes \"/regex/flags\"")?;
    let (_, flags) = body.rsplit_once('/').ok_or("pcre takes \"/regex/flags\" (the closing / is missing)")?;
    match flags.chars().all(|c| c.is_ascii_alphabetic()) {
        true => Ok(()),
        false => Err(format!("`{flags}` are not pcre flags")),
    }
}

/// What the modifiers said of the last `content` so far: engines refuse a modifier with no
/// content before it, and absolute (`depth`, `offset`, `startswith`) and relative (`distance`,
/// `within`) modifiers on one content.
#[derive(Default)]
struct ContentState {
    seen: bool,
    absolute: bool,
    relative: bool,
}

impl ContentState {
    fn modify(&mut self, keyword: &str, at: usize) -> Result<(), Problem> {
        let (absolute, relative) = match keyword {
            "content" | "uricontent" => {
                *self = ContentState { seen: true, ..ContentState::default() };
                return Ok(());
            }
            "depth" | "offset" | "startswith" => (true, false),
            "distance" | "within" => (false, true),
            "nocase" | "fast_pattern" | "rawbytes" | "endswith" => (false, false),
            _ => return Ok(()),
        };
        if !self.seen {
            return Err(Problem::at(at, format!("`{keyword}` modifies the `content` before it, and there is none")));
        }
        self.absolute |= absolute;
        self.relative |= relative;
        match self.absolute && self.relative {
            true => Err(Problem::at(
                at,
                format!("`{keyword}`: one content cannot take both depth/offset/startswith and distance/within"),
            )),
            false => Ok(()),
        }
    }
}

fn number(value: Option<(&str, usize)>, at: usize, keyword: &str) -> Result<u64, Problem> {
    value
        .and_then(|(v, _)| v.parse::<u64>().ok())
        .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
        .ok_or_else(|| Problem::at(at, format!("`{keyword}` takes a whole number from 1 to 4294967295")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURICATA_RULE: &str = "alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"x; y\\\"\"; flow:established,to_server; http.user_agent; content:\"Dongle\\;Sync\"; startswith; sid:9000102; rev:1;)";

    fn problem(text: &str, engine: Engine) -> Problem {
        check(text, engine).expect_err(text)
    }

    #[test]
    fn one_alert_rule_with_a_sid_passes() {
        // `msg:"x; y\""` has a bare `;` in quotes: Suricata ends the value there, so do we.
        assert!(problem(SURICATA_RULE, Engine::Suricata).message.contains("quote still open"));
        let fixed = SURICATA_RULE.replace("x; y", "x\\; y");
        assert_eq!(check(&fixed, Engine::Suricata), Ok(IdsRule { sid: 9000102 }));
        let snort = "alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> $EXTERNAL_NET 8443 (msg:\"a\"; content:\"b\"; fast_pattern; sid:9000101; rev:1;)\n";
        assert_eq!(check(snort, Engine::Snort), Ok(IdsRule { sid: 9000101 }));
        assert!(check("alert http (msg:\"a\"; sid:5;)", Engine::Snort).is_ok());
        assert!(check("alert tcp any any -> any any \\\n (msg:\"a\"; sid:5;)", Engine::Suricata).is_ok());
    }

    #[test]
    fn the_feeds_own_sids_are_refused() {
        let problem = problem("alert tcp any any -> any any (msg:\"a\"; sid:3999000004;)", Engine::Suricata);
        assert!(problem.message.contains("3999000000"), "{}", problem.message);
        assert!(check("alert tcp any any -> any any (msg:\"a\"; sid:3998999999;)", Engine::Suricata).is_ok());
    }

    #[test]
    fn a_second_rule_or_another_action_is_refused() {
        let two = "alert ip any any -> any any (msg:\"a\"; sid:1;)\npass ip any any -> any any (sid:9000006;)";
        let found = problem(two, Engine::Suricata);
        assert!(found.message.contains("second rule"), "{found:?}");
        assert_eq!(found.offset, two.find('\n').unwrap());
        let same_line = "alert ip any any -> any any (msg:\"a\"; sid:1;) pass ip any any -> any any (sid:2;)";
        assert!(problem(same_line, Engine::Suricata).message.contains("exactly one rule"));
        for action in ["pass", "drop", "reject"] {
            let rule = format!("{action} ip any any -> any any (msg:\"a\"; sid:1;)");
            assert!(problem(&rule, Engine::Suricata).message.contains("only `alert`"), "{action}");
        }
    }

    #[test]
    fn options_are_checked() {
        let unknown = "alert tcp any any -> any any (msg:\"a\"; frobnicate:1; sid:1;)";
        let found = problem(unknown, Engine::Suricata);
        assert!(found.message.contains("`frobnicate` is not a rule option Suricata documents"));
        assert_eq!(found.offset, unknown.find("frobnicate").unwrap());
        assert!(problem("alert tcp any any -> any any (msg:\"a\";)", Engine::Suricata).message.contains("no `sid`"));
        assert!(problem("alert tcp any any -> any any (msg:\"a\"; sid:x;)", Engine::Snort)
            .message
            .contains("whole number"));
        assert!(problem("alert tcp any any -> any any (msg:\"a\"; sid:1; sid:2;)", Engine::Snort)
            .message
            .contains("twice"));
        assert!(problem("alert tcp any any -> any any (msg:\"a\"; sid:1", Engine::Snort).message.contains("not ended"));
        assert!(problem("alert tcp any any -> any any (msg:a; sid:1;)", Engine::Snort).message.contains("quoted"));
        assert!(problem("alert tcp any any => any any (sid:1;)", Engine::Snort).message.contains("direction"));
        assert!(problem("alert tcp any any -> any (sid:1;)", Engine::Snort).message.contains("6 parts"));
        assert!(problem("# alert tcp any any -> any any (sid:1;)", Engine::Snort).message.contains("comment"));
        assert!(problem("alert tcp any any -> any any (sid:1;) # x", Engine::Snort).message.contains("comment"));
        assert!(problem("alert tcp any any -> any any (sid:1; startswith;)", Engine::Snort).message.contains("Snort"));
    }

    #[test]
    fn values_engines_refuse_are_found() {
        let with = |options: &str| format!("alert tcp any any -> any any (msg:\"m\"; {options} sid:1;)");
        let refused = |options: &str| problem(&with(options), Engine::Suricata).message;
        assert!(refused("content:x;").contains("quoted"));
        assert!(refused("content:\"|4D 5|\";").contains("hex"));
        assert!(refused("content:\"a|4D\";").contains("not closed"));
        assert!(refused("content:\"a\\qb\";").contains("escape"));
        assert!(refused("pcre:\"x\";").contains("/regex/"));
        assert!(refused("flow:sideways;").contains("flow option"));
        assert!(refused("classtype:made-up;").contains("classtype"));
        assert!(refused("content:\"a\"; depth:x-1;").contains("number"));
        assert!(refused("content:\"a\"; depth:-1;").contains("number"));
        assert!(problem("alert tcp any any -> any any (msg:\"a\\qb\"; sid:1;)", Engine::Snort)
            .message
            .contains("escape"));
        assert!(refused("content:\"a\"; nocase:1;").contains("no value"));
        assert!(refused("http.uri:1;").contains("no value"));
        assert!(refused("content;").contains("needs a value"));
        assert!(refused("nocase; content:\"a\";").contains("there is none"));
        assert!(refused("content:\"a\"; depth:4; distance:1;").contains("cannot take both"));
        let fine = with("flow:established,to_server; http.uri; content:!\"a|4D 5A|\\;\"; nocase; depth:4; content:\"b\"; distance:-1; pcre:\"/x\\/y/Ri\"; classtype:trojan-activity;");
        assert_eq!(check(&fine, Engine::Suricata), Ok(IdsRule { sid: 1 }));
    }
}
