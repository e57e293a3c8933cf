// SPDX-License-Identifier: MIT OR Apache-2.0
//! What wakes a watch, gathered behind one epoll descriptor (the one the caller polls): an
//! inotify descriptor for the v2 `*.events` files, the v1 OOM eventfd, a 100 ms timer where the kernel has no
//! notification, and an eventfd that makes the descriptor readable when a read has something
//! to report before anything happened (a watch made on an empty group).

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::PollTimeout;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::eventfd::{EfdFlags, EventFd};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};

/// How often the timer wakes the watch where the kernel has no notification.
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The wakeup sources of one watch, registered in its epoll descriptor.
#[derive(Debug)]
pub(super) struct Wakeups {
    epoll: Epoll,
    inotify: Option<Inotify>,
    timer: Option<TimerFd>,
    oom: Option<EventFd>,
    pending: EventFd,
}

/// What woke the watch since the last drain.
#[derive(Debug, Default)]
pub(super) struct Woken {
    /// A watched file changed (or inotify dropped events).
    pub files: bool,
    /// The timer expired.
    pub timer: bool,
    /// The v1 OOM eventfd was signalled.
    pub oom: bool,
}

fn nonblocking_cloexec() -> EfdFlags {
    EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC
}

impl Wakeups {
    /// An epoll descriptor with the pending-report eventfd in it.
    pub(super) fn new() -> io::Result<Wakeups> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let pending = EventFd::from_value_and_flags(0, nonblocking_cloexec())?;
        epoll.add(&pending, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
        Ok(Wakeups {
            epoll,
            inotify: None,
            timer: None,
            oom: None,
            pending,
        })
    }

    /// The descriptor the caller polls.
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.epoll.0.as_fd()
    }

    /// Watches the interface file open as `file` for changes (kernfs reports a changed
    /// `*.events` file as IN_MODIFY), through its descriptor rather than its path.
    pub(super) fn watch_file(&mut self, file: BorrowedFd<'_>) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let inotify = match &self.inotify {
            Some(inotify) => inotify,
            None => {
                let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
                self.epoll
                    .add(&inotify, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
                self.inotify.insert(inotify)
            }
        };
        let path = format!("/proc/self/fd/{}", file.as_raw_fd());
        inotify.add_watch(path.as_str(), AddWatchFlags::IN_MODIFY)?;
        Ok(())
    }

    /// Starts the timer (once) for checks the kernel does not notify.
    pub(super) fn start_timer(&mut self) -> io::Result<()> {
        if self.timer.is_some() {
            return Ok(());
        }
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        timer.set(
            Expiration::Interval(TimeSpec::from_duration(POLL_INTERVAL)),
            TimerSetTimeFlags::empty(),
        )?;
        self.epoll
            .add(&timer, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
        self.timer = Some(timer);
        Ok(())
    }

    /// A new eventfd for the kernel's v1 OOM notification, registered here.
    pub(super) fn oom_eventfd(&mut self) -> io::Result<BorrowedFd<'_>> {
        let eventfd = EventFd::from_value_and_flags(0, nonblocking_cloexec())?;
        self.epoll
            .add(&eventfd, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
        let eventfd: &EventFd = self.oom.insert(eventfd);
        Ok(eventfd.as_fd())
    }

    /// Makes the descriptor readable until the next drain.
    pub(super) fn set_pending(&self) -> io::Result<()> {
        self.pending.write(1)?;
        Ok(())
    }

    /// Consumes every wakeup that happened, without blocking.
    pub(super) fn drain(&self) -> io::Result<Woken> {
        let mut woken = Woken::default();
        drain_counter(self.pending.as_fd())?;
        if let Some(inotify) = &self.inotify {
            loop {
                match inotify.read_events() {
                    Ok(events) => woken.files |= !events.is_empty(),
                    Err(Errno::EAGAIN) => break,
                    Err(errno) => return Err(errno.into()),
                }
            }
        }
        if let Some(timer) = &self.timer {
            woken.timer = drain_counter(timer.as_fd())?;
        }
        if let Some(oom) = &self.oom {
            woken.oom = drain_counter(oom.as_fd())?;
        }
        Ok(woken)
    }

    /// Blocks until a wakeup source is ready or `timeout` passes (`None`: forever).
    pub(super) fn wait(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timeout = match timeout {
            None => PollTimeout::NONE,
            Some(left) => {
                // Rounded up, so that a sub-millisecond rest does not spin.
                let millis = left.as_nanos().div_ceil(1_000_000);
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
            }
        };
        match self.epoll.wait(&mut [EpollEvent::empty()], timeout) {
            Ok(_) | Err(Errno::EINTR) => Ok(()),
            Err(errno) => Err(errno.into()),
        }
    }
}

/// Reads an eventfd or timerfd counter; whether it was non-zero.
fn drain_counter(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let mut counter = [0u8; 8];
    match nix::unistd::read(fd, &mut counter) {
        Ok(_) => Ok(true),
        Err(Errno::EAGAIN) => Ok(false),
        Err(errno) => Err(errno.into()),
    }
}
