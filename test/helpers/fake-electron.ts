/**
 * A fake `electron` module for testing main-process code in plain Node: records what the code asks of
 * Electron (window options, IPC handlers, event handlers) and lets tests answer dialogs.
 */
type Handler = (...args: any[]) => any;

export class FakeWebContents {
  readonly handlers = new Map<string, Handler>();
  windowOpenHandler: Handler | null = null;
  sent: unknown[][] = [];
  on(event: string, h: Handler) {
    this.handlers.set(event, h);
    return this;
  }
  setWindowOpenHandler(h: Handler) {
    this.windowOpenHandler = h;
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
}

export class FakeBrowserWindow {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, any>) {
    FakeBrowserWindow.created.push(this);
  }
  once() {
    return this;
  }
  on() {
    return this;
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
  }
  show() {}
  getSize() {
    return [this.options.width, this.options.height];
  }
}

export const fakeState = {
  ipcHandlers: new Map<string, Handler>(),
  permissionHandler: null as Handler | null,
  permissionCheckHandler: null as Handler | null,
  openDialogResult: { canceled: true, filePaths: [] as string[] },
  externalOpened: [] as string[],
};

export const fakeElectron = {
  BrowserWindow: FakeBrowserWindow,
  ipcMain: {
    handle: (channel: string, h: Handler) => fakeState.ipcHandlers.set(channel, h),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: Handler) => {
        fakeState.permissionHandler = h;
      },
      setPermissionCheckHandler: (h: Handler) => {
        fakeState.permissionCheckHandler = h;
      },
    },
  },
  shell: {
    openExternal: async (url: string) => {
      fakeState.externalOpened.push(url);
    },
  },
  dialog: {
    showOpenDialog: async () => fakeState.openDialogResult,
  },
  utilityProcess: {
    fork: () => {
      throw new Error('not used in these tests');
    },
  },
};
