// SPDX-License-Identifier: MIT OR Apache-2.0
//! The D-Bus side, over libdbus (the `dbus` crate): reaching a service manager the way
//! `systemctl` does, and the few calls a transient scope needs.
//!
//! A manager is reached on its private socket when that is possible (a direct, peer-to-peer
//! connection: no bus daemon, no `Hello`, and the manager sends its signals to every such peer),
//! else through a bus daemon (the manager sends signals there only to subscribers, and the bus
//! delivers them only to matching peers, so the client calls `AddMatch` and `Subscribe`).

use std::ffi::OsStr;
use std::fmt::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use dbus::arg::{RefArg, Variant};
use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;
use dbus::blocking::Proxy;
use dbus::channel::{BusType, Channel};
use dbus::message::MatchRule;
use dbus::{Message, Path};

use super::{Manager, ScopeError};

const SYSTEMD: &str = "org.freedesktop.systemd1";
const SYSTEMD_OBJECT: &str = "/org/freedesktop/systemd1";
const MANAGER_INTERFACE: &str = "org.freedesktop.systemd1.Manager";
const SCOPE_INTERFACE: &str = "org.freedesktop.systemd1.Scope";
const JOB_INTERFACE: &str = "org.freedesktop.systemd1.Job";
const SYSTEM_PRIVATE_SOCKET: &str = "/run/systemd/private";

/// A unit property as `StartTransientUnit` takes it: `(sv)`.
type Property<'a> = (&'a str, Variant<Box<dyn RefArg>>);

/// How long one method call may take (libdbus's and sd-bus's default).
const CALL_TIMEOUT: Duration = Duration::from_secs(25);

/// A private connection to one service manager, closed on drop.
pub(super) struct Connection {
    channel: Channel,
    /// Peer to peer on the manager's private socket, rather than through a bus daemon.
    direct: bool,
}

impl Connection {
    /// Connects to `manager`: the system manager on `/run/systemd/private` as root, else on the
    /// system bus; the user manager on `$XDG_RUNTIME_DIR/systemd/private`, else on the session
    /// bus (`$DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`). Never autolaunches a bus.
    pub(super) fn open(manager: Manager) -> Result<Connection, ScopeError> {
        let endpoints = Endpoint::candidates(manager);
        if endpoints.is_empty() {
            return Err(ScopeError::Unsupported(format!(
                "cannot reach the {manager}: XDG_RUNTIME_DIR is not set and there is no session \
                 bus (DBUS_SESSION_BUS_ADDRESS)"
            )));
        }
        let mut failures = Vec::new();
        for endpoint in endpoints {
            match endpoint.connect() {
                Ok(connection) => return Ok(connection),
                Err(e) => failures.push(format!("{endpoint}: {}", describe(&e))),
            }
        }
        Err(ScopeError::Unsupported(format!(
            "cannot reach the {manager}: {}",
            failures.join("; ")
        )))
    }

    fn proxy<'a>(&'a self, path: impl Into<Path<'a>>) -> Proxy<'a, &'a Channel> {
        Proxy::new(SYSTEMD, path, CALL_TIMEOUT, &self.channel)
    }

    /// Makes sure the manager's `JobRemoved` signals reach this connection from now on.
    pub(super) fn watch_jobs(&self) -> Result<(), ScopeError> {
        if self.direct {
            return Ok(());
        }
        let rule = job_removed_rule().with_sender(SYSTEMD).match_str();
        Proxy::new(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            CALL_TIMEOUT,
            &self.channel,
        )
        .method_call::<(), _, _, _>("org.freedesktop.DBus", "AddMatch", (rule,))
        .map_err(|e| manager_error(&e, None))?;
        self.proxy(SYSTEMD_OBJECT)
            .method_call::<(), _, _, _>(MANAGER_INTERFACE, "Subscribe", ())
            .map_err(|e| manager_error(&e, None))
    }

    /// Asks for the transient scope `unit` holding `pid`, with `Delegate=yes`, in `slice`, and
    /// returns the path of the job that starts it. `CollectMode=inactive-or-failed` makes the
    /// manager forget the unit once it stops, failed or not.
    pub(super) fn start_transient_scope(
        &self,
        unit: &str,
        slice: Option<&str>,
        pid: u32,
    ) -> Result<Path<'static>, ScopeError> {
        let mut properties: Vec<Property> = vec![
            (
                "Description",
                Variant(Box::new(format!("libcgroups delegated scope of pid {pid}"))),
            ),
            ("PIDs", Variant(Box::new(vec![pid]))),
            ("Delegate", Variant(Box::new(true))),
            (
                "CollectMode",
                Variant(Box::new(String::from("inactive-or-failed"))),
            ),
        ];
        if let Some(slice) = slice {
            properties.push(("Slice", Variant(Box::new(slice.to_owned()))));
        }
        let auxiliary_units: Vec<(&str, Vec<Property>)> = Vec::new();
        let (job,): (Path<'static>,) = self
            .proxy(SYSTEMD_OBJECT)
            .method_call(
                MANAGER_INTERFACE,
                "StartTransientUnit",
                (unit, "fail", properties, auxiliary_units),
            )
            .map_err(|e| manager_error(&e, Some(pid)))?;
        Ok(job)
    }

    /// Waits for the `JobRemoved` signal of `job` (which starts `unit`) and checks its result.
    /// A job still running after `timeout` is canceled.
    pub(super) fn wait_for_job(
        &self,
        job: &Path,
        unit: &str,
        timeout: Duration,
    ) -> Result<(), ScopeError> {
        let rule = job_removed_rule();
        let deadline = Instant::now() + timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                // Best effort: the job may end on its own meanwhile, which is as good.
                let _ =
                    self.proxy(job.clone())
                        .method_call::<(), _, _, _>(JOB_INTERFACE, "Cancel", ());
                return Err(ScopeError::TimedOut {
                    unit: unit.to_owned(),
                    seconds: timeout.as_secs(),
                });
            }
            let message = self
                .channel
                .blocking_pop_message(remaining)
                .map_err(|e| manager_error(&e, None))?;
            let Some(message) = message.filter(|m| rule.matches(m)) else {
                continue;
            };
            if let Some(result) = job_result(&message, job) {
                return match result.as_str() {
                    "done" => Ok(()),
                    _ => Err(ScopeError::JobFailed {
                        unit: unit.to_owned(),
                        result,
                    }),
                };
            }
        }
    }

    /// The cgroup of the running scope `unit`, as `/proc/<pid>/cgroup` names it.
    pub(super) fn control_group(&self, unit: &str, pid: u32) -> Result<String, ScopeError> {
        let (unit_path,): (Path<'static>,) = self
            .proxy(SYSTEMD_OBJECT)
            .method_call(MANAGER_INTERFACE, "GetUnit", (unit,))
            .map_err(|e| manager_error(&e, Some(pid)))?;
        let cgroup: String = self
            .proxy(unit_path)
            .get(SCOPE_INTERFACE, "ControlGroup")
            .map_err(|e| manager_error(&e, Some(pid)))?;
        if cgroup.is_empty() {
            return Err(ScopeError::NoSuchProcess {
                pid,
                reason: format!("{unit} has no cgroup: its processes exited"),
            });
        }
        Ok(cgroup)
    }
}

/// Where a manager can be reached, in the order `systemctl` tries.
enum Endpoint {
    /// The manager's own socket: a direct connection.
    PrivateSocket(PathBuf),
    /// The system bus (`$DBUS_SYSTEM_BUS_ADDRESS`, else the standard socket).
    SystemBus,
    /// The session bus at this address.
    SessionBus(String),
}

impl Endpoint {
    fn candidates(manager: Manager) -> Vec<Endpoint> {
        let mut endpoints = Vec::new();
        match manager {
            Manager::System => {
                if nix::unistd::geteuid().is_root() {
                    endpoints.push(Endpoint::PrivateSocket(SYSTEM_PRIVATE_SOCKET.into()));
                }
                endpoints.push(Endpoint::SystemBus);
            }
            Manager::User => {
                let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR")
                    .filter(|dir| !dir.is_empty())
                    .map(PathBuf::from);
                if let Some(dir) = &runtime_dir {
                    endpoints.push(Endpoint::PrivateSocket(dir.join("systemd/private")));
                }
                if let Some(address) = session_bus_address(runtime_dir.as_ref()) {
                    endpoints.push(Endpoint::SessionBus(address));
                }
            }
        }
        endpoints
    }

    fn connect(&self) -> Result<Connection, dbus::Error> {
        let (channel, direct) = match self {
            Endpoint::PrivateSocket(path) => (
                Channel::open_private(&unix_address(path.as_os_str()))?,
                true,
            ),
            Endpoint::SystemBus => (Channel::get_private(BusType::System)?, false),
            Endpoint::SessionBus(address) => {
                let mut channel = Channel::open_private(address)?;
                channel.register()?;
                (channel, false)
            }
        };
        Ok(Connection { channel, direct })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::PrivateSocket(path) => write!(f, "{}", path.display()),
            Endpoint::SystemBus => f.write_str("the system bus"),
            Endpoint::SessionBus(address) => write!(f, "the session bus at {address}"),
        }
    }
}

/// The manager's `JobRemoved(u id, o job, s unit, s result)` signal.
fn job_removed_rule() -> MatchRule<'static> {
    MatchRule::new_signal(MANAGER_INTERFACE, "JobRemoved").with_path(SYSTEMD_OBJECT)
}

/// The result of `job` if `message` is its `JobRemoved` signal.
fn job_result(message: &Message, job: &Path) -> Option<String> {
    let (_, removed, _, result): (u32, Path, String, String) = message.read4().ok()?;
    (removed == *job).then_some(result)
}

/// A D-Bus address for the Unix socket at `path`, with the bytes that addresses reserve escaped.
fn unix_address(path: &OsStr) -> String {
    let mut address = String::from("unix:path=");
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-_/.\\*".contains(&byte) {
            address.push(char::from(byte));
        } else {
            let _ = write!(address, "%{byte:02x}");
        }
    }
    address
}

/// Where the session bus is, as sd-bus finds it: `$DBUS_SESSION_BUS_ADDRESS`, else the socket
/// `$XDG_RUNTIME_DIR/bus` if it exists.
fn session_bus_address(runtime_dir: Option<&PathBuf>) -> Option<String> {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(address) if !address.is_empty() => Some(address),
        _ => runtime_dir
            .map(|dir| dir.join("bus"))
            .filter(|socket| socket.exists())
            .map(|socket| unix_address(socket.as_os_str())),
    }
}

fn describe(e: &dbus::Error) -> String {
    match (e.name(), e.message()) {
        (Some(name), Some(message)) => format!("{message} ({name})"),
        (Some(name), None) => name.to_owned(),
        (None, Some(message)) => message.to_owned(),
        (None, None) => "unknown D-Bus error".to_owned(),
    }
}

/// Sorts an error reply of the manager (or of the bus on its behalf) into the caller's
/// categories; `pid` is the process the call concerned, if any.
fn manager_error(e: &dbus::Error, pid: Option<u32>) -> ScopeError {
    let name = e
        .name()
        .unwrap_or("org.freedesktop.DBus.Error.Failed")
        .to_owned();
    let message = e.message().unwrap_or_default().to_owned();
    match (name.as_str(), pid) {
        (
            "org.freedesktop.DBus.Error.AccessDenied"
            | "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"
            | "org.freedesktop.DBus.Error.AuthFailed",
            _,
        ) => ScopeError::Permission { name, message },
        (
            "org.freedesktop.systemd1.NoSuchProcess"
            | "org.freedesktop.DBus.Error.UnixProcessIdUnknown",
            Some(pid),
        ) => ScopeError::NoSuchProcess {
            pid,
            reason: format!("{message} ({name})"),
        },
        (
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner"
            | "org.freedesktop.DBus.Error.Disconnected"
            | "org.freedesktop.DBus.Error.NoServer",
            _,
        ) => ScopeError::Unsupported(format!(
            "the service manager is not reachable: {message} ({name})"
        )),
        _ => ScopeError::Manager { name, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_paths_become_escaped_dbus_addresses() {
        assert_eq!(
            unix_address(OsStr::new("/run/user/1000/systemd/private")),
            "unix:path=/run/user/1000/systemd/private"
        );
        assert_eq!(
            unix_address(OsStr::new("/tmp/a b,c=d;é")),
            "unix:path=/tmp/a%20b%2cc%3dd%3b%c3%a9"
        );
    }

    #[test]
    fn manager_errors_keep_their_name_and_message() {
        let error = |name: &str| dbus::Error::new_custom(name, "what the manager said");
        assert!(matches!(
            manager_error(&error("org.freedesktop.DBus.Error.AccessDenied"), Some(1)),
            ScopeError::Permission { ref name, ref message }
                if name == "org.freedesktop.DBus.Error.AccessDenied" && message == "what the manager said"
        ));
        assert!(matches!(
            manager_error(
                &error("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"),
                None
            ),
            ScopeError::Permission { .. }
        ));
        assert!(matches!(
            manager_error(&error("org.freedesktop.systemd1.NoSuchProcess"), Some(7)),
            ScopeError::NoSuchProcess { pid: 7, ref reason } if reason.contains("what the manager said")
        ));
        // systemd 252 says this for a pid that does not exist.
        assert!(matches!(
            manager_error(
                &error("org.freedesktop.DBus.Error.UnixProcessIdUnknown"),
                Some(7)
            ),
            ScopeError::NoSuchProcess { pid: 7, .. }
        ));
        assert!(matches!(
            manager_error(&error("org.freedesktop.DBus.Error.ServiceUnknown"), None),
            ScopeError::Unsupported(_)
        ));
        let exists = manager_error(&error("org.freedesktop.systemd1.UnitExists"), Some(7));
        assert!(matches!(
            exists,
            ScopeError::Manager { ref name, .. } if name == "org.freedesktop.systemd1.UnitExists"
        ));
        assert_eq!(
            exists.to_string(),
            "the service manager failed: what the manager said (org.freedesktop.systemd1.UnitExists)"
        );
    }

    #[test]
    fn only_the_awaited_jobs_removal_gives_a_result() {
        let signal = |job: &str, result: &str| {
            Message::signal(
                &SYSTEMD_OBJECT.into(),
                &MANAGER_INTERFACE.into(),
                &"JobRemoved".into(),
            )
            .append3(7u32, Path::from(job), "x.scope")
            .append1(result)
        };
        let ours = Path::from("/org/freedesktop/systemd1/job/7");
        let message = signal("/org/freedesktop/systemd1/job/7", "done");
        assert!(job_removed_rule().matches(&message));
        assert_eq!(job_result(&message, &ours).as_deref(), Some("done"));
        let other = signal("/org/freedesktop/systemd1/job/8", "done");
        assert_eq!(job_result(&other, &ours), None);
        let failed = signal("/org/freedesktop/systemd1/job/7", "failed");
        assert_eq!(job_result(&failed, &ours).as_deref(), Some("failed"));
    }
}
