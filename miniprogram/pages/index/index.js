Page({
  onShareAppMessage: function () {
    return { title: "导办助手：办事要带什么、去哪个窗口", path: "/pages/index/index" };
  }
});
